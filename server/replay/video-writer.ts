/**
 * Writes RGB frames to a video file with ffmpeg (a Debian package the setup installs):
 * VP8 in WebM for `.webm`, H.264 in MP4 for `.mp4`, lossless FFV1 in Matroska for `.mkv`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const CODECS: Record<string, string[]> = {
  '.webm': ['-c:v', 'libvpx', '-b:v', '1M', '-deadline', 'good'],
  '.mp4': ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '18'],
  '.mkv': ['-c:v', 'ffv1'],
};

export interface VideoWriter {
  write(frame: Uint8Array): Promise<void>;
  finish(): Promise<void>;
}

export function openVideo(file: string, width: number, height: number, fps: number): VideoWriter {
  const codec = CODECS[path.extname(file)];
  if (!codec)
    throw new Error(
      `unknown video type "${path.extname(file)}"; use one of ${Object.keys(CODECS).join(', ')}`,
    );
  const ffmpeg = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${width}x${height}`,
      '-r',
      String(fps),
      '-i',
      '-',
      ...codec,
      file,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  ffmpeg.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve, reject) => {
    ffmpeg.on('error', (error) =>
      reject(new Error(`cannot run ffmpeg (install it with infra/setup.sh): ${error.message}`)),
    );
    ffmpeg.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg failed (${code}): ${stderr.trim()}`)),
    );
  });
  let failed: Error | null = null;
  ffmpeg.stdin.on('error', (error) => (failed = error));
  return {
    write: (frame) =>
      new Promise((resolve, reject) => {
        if (failed) return reject(failed);
        if (ffmpeg.stdin.write(frame)) resolve();
        else ffmpeg.stdin.once('drain', resolve);
      }),
    finish: async () => {
      ffmpeg.stdin.end();
      await exited;
    },
  };
}
