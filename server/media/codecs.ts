/**
 * The two video codecs a session can stream, described once for each party: the
 * router (what it offers consumers), the producer and packetizer (what we send) and
 * the encoder (what @napi-rs/webcodecs is asked for).
 */
import type { types } from 'mediasoup';
import { H264Packetizer } from './h264-packetizer';
import type { RtpPacketizer } from './rtp-packetizer';
import { VIDEO_CLOCK_RATE } from './rtp-timestamp';
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

/**
 * What the in-process packetizer sends. No NACK feedback: the DirectTransport hop is
 * lossless, so mediasoup never needs retransmissions from us (it keeps its own
 * buffer towards consumers). PLI and FIR: mediasoup asks us for keyframes.
 */
export function producerRtpParameters(codec: VideoCodec, ssrc: number): types.RtpParameters {
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
export function createPacketizer(codec: VideoCodec, ssrc: number): RtpPacketizer {
  const options = { ssrc, payloadType: PAYLOAD_TYPE[codec] };
  return codec === 'vp8' ? new Vp8Packetizer(options) : new H264Packetizer(options);
}
