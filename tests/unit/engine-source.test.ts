import { actionFromKeys } from '../../model/engine/actions';
import { Engine } from '../../model/engine/engine';
import { parseInstruction } from '../../model/engine/instructions';
import { EngineFrameSource } from '../../server/generator/engine-source';
import { UnknownSessionError } from '../../server/generator/frame-source';

describe('EngineFrameSource', () => {
  it('steps a batch of sessions exactly like separate engines', async () => {
    const source = new EngineFrameSource(64, 64);
    source.open('a', { seed: 1 });
    source.open('b', { seed: 2 });
    const [a, b] = [
      new Engine({ seed: 1, width: 64, height: 64 }),
      new Engine({ seed: 2, width: 64, height: 64 }),
    ];
    expect(Buffer.compare(source.current('a'), a.render())).toBe(0);
    const fwd = actionFromKeys(['forward']);
    const snow = [parseInstruction('weather=snow')];
    const [fa, fb] = await source.step([
      { sessionId: 'a', action: fwd, instructions: [] },
      { sessionId: 'b', action: 0, instructions: snow },
    ]);
    a.step(fwd);
    b.step(0, snow);
    expect(Buffer.compare(fa, a.render())).toBe(0);
    expect(Buffer.compare(fb, b.render())).toBe(0);
  });

  it('fails clearly for a session it does not have', async () => {
    const source = new EngineFrameSource(64, 64);
    await expect(source.step([{ sessionId: 'x', action: 0, instructions: [] }])).rejects.toThrow(
      UnknownSessionError,
    );
  });
});
