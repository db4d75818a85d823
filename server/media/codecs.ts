/**
 * The two video codecs a session can stream, described once for each party: the
 * router (what it offers consumers), the producer and packetizer (what we send) and
 * the encoder (what @napi-rs/webcodecs is asked for).
 */
import type { types } from 'mediasoup';
import { H264Packetizer } from './h264-packetizer';
import type { PlayoutDelay, RtpPacketizer } from './rtp-packetizer';
import { VIDEO_CLOCK_RATE } from '../protocol/rtp-timestamp';
import { Vp8Packetizer } from './vp8-packetizer';

export type VideoCodec = 'vp8' | 'h264';

export const VIDEO_CODECS: readonly VideoCodec[] = ['vp8', 'h264'];

/** Constrained Baseline level 3.1: the H.264 profile every WebRTC browser decodes. */
const H264_PARAMETERS = {
  'packetization-mode': 1,
  'profile-level-id': '42e01f',
  'level-asymmetry-allowed': 1,
};

/** Payload types of our producer; consumers get the router's own numbering. */
const PAYLOAD_TYPE: Record<VideoCodec, number> = { vp8: 96, h264: 102 };

const MIME_TYPE: Record<VideoCodec, string> = { vp8: 'video/VP8', h264: 'video/H264' };

/** Every router offers both, so any session's stream can be consumed by any device. */
export const ROUTER_MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'video', mimeType: MIME_TYPE.vp8, clockRate: VIDEO_CLOCK_RATE },
  {
    kind: 'video',
    mimeType: MIME_TYPE.h264,
    clockRate: VIDEO_CLOCK_RATE,
    parameters: H264_PARAMETERS,
  },
];

const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';
/** Our producer's id for it; mediasoup renumbers it for each consumer that negotiated it. */
const PLAYOUT_DELAY_EXTENSION_ID = 1;

/**
 * The playout-delay our packets carry: the browser may hold a frame at most maxMs
 * before showing it. null: no extension, the browser smooths playback its own way.
 */
export function playoutDelay(maxMs: number | null): PlayoutDelay | undefined {
  return maxMs === null ? undefined : { extensionId: PLAYOUT_DELAY_EXTENSION_ID, minMs: 0, maxMs };
}

/**
 * What the in-process packetizer sends. No NACK feedback: the DirectTransport hop is
 * lossless, so mediasoup never needs retransmissions from us (it keeps its own
 * buffer towards consumers). PLI and FIR: mediasoup asks us for keyframes. With a
 * playout delay, mediasoup forwards the extension to every consumer that supports it.
 */
export function producerRtpParameters(
  codec: VideoCodec,
  ssrc: number,
  delay?: PlayoutDelay,
): types.RtpParameters {
  return {
    codecs: [
      {
        mimeType: MIME_TYPE[codec],
        payloadType: PAYLOAD_TYPE[codec],
        clockRate: VIDEO_CLOCK_RATE,
        parameters: codec === 'h264' ? H264_PARAMETERS : {},
        rtcpFeedback: [
          { type: 'nack', parameter: 'pli' },
          { type: 'ccm', parameter: 'fir' },
        ],
      },
    ],
    headerExtensions: delay ? [{ uri: PLAYOUT_DELAY_URI, id: delay.extensionId }] : [],
    encodings: [{ ssrc }],
    rtcp: { cname: `worldtick-${ssrc.toString(16)}`, reducedSize: true },
  };
}

/** WebCodecs codec strings; H.264 is asked for in Annex B so NAL units can be split. */
export function encoderCodecString(codec: VideoCodec): string {
  return codec === 'vp8' ? 'vp8' : 'avc1.42e01f';
}

export function assertVideoCodec(codec: string): asserts codec is VideoCodec {
  if (!(VIDEO_CODECS as readonly string[]).includes(codec)) {
    throw new TypeError(`video codec must be one of ${VIDEO_CODECS.join(', ')}, got "${codec}"`);
  }
}

/** The packetizer for the codec's RTP payload format. */
export function createPacketizer(
  codec: VideoCodec,
  ssrc: number,
  delay?: PlayoutDelay,
): RtpPacketizer {
  const options = { ssrc, payloadType: PAYLOAD_TYPE[codec], playoutDelay: delay };
  return codec === 'vp8' ? new Vp8Packetizer(options) : new H264Packetizer(options);
}
