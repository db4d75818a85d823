import { ConfigError, loadConfig } from '../../server/config';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      TICK_HZ: 20,
      VIDEO_CODEC: 'vp8',
      FRAME_WIDTH: 128,
      SESSIONS: ['default'],
      PLAYOUT_DELAY_MS: 0,
    });
  });

  it('takes a playout delay in milliseconds, or "adaptive" for none', () => {
    expect(loadConfig({ PLAYOUT_DELAY_MS: '120' }).PLAYOUT_DELAY_MS).toBe(120);
    expect(loadConfig({ PLAYOUT_DELAY_MS: 'adaptive' }).PLAYOUT_DELAY_MS).toBeNull();
    expect(() => loadConfig({ PLAYOUT_DELAY_MS: 'soon' })).toThrow(
      /PLAYOUT_DELAY_MS: expected "adaptive" or whole milliseconds 0..40950/,
    );
    expect(() => loadConfig({ PLAYOUT_DELAY_MS: '50000' })).toThrow(/PLAYOUT_DELAY_MS: .*40950/);
  });

  it('parses values from strings', () => {
    expect(loadConfig({ PORT: '8080', SESSIONS: 'a, b-2', VIDEO_CODEC: 'h264' })).toMatchObject({
      PORT: 8080,
      SESSIONS: ['a', 'b-2'],
      VIDEO_CODEC: 'h264',
    });
  });

  it('reports every invalid variable with what was expected', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', VIDEO_CODEC: 'av1', SESSIONS: 'Bad Id' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/VIDEO_CODEC: .*"vp8"/);
    expect(message).toMatch(/session ids are 1-40/);
  });

  it('rejects an inverted RTC port range', () => {
    expect(() => loadConfig({ RTC_MIN_PORT: '5000', RTC_MAX_PORT: '4000' })).toThrow(
      /RTC_MIN_PORT must not exceed/,
    );
  });
});
