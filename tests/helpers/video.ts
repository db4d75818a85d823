/** Reads a video file back with ffprobe, to check what a writer produced. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function probeVideo(file: string): { width: number; frames: number } {
  const args = [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,nb_read_frames',
    '-of',
    'csv=p=0',
    file,
  ];
  const [width, frames] = execFileSync('ffprobe', args).toString().trim().split(',').map(Number);
  return { width, frames };
}

export function tempVideoPath(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wt-video-')), name);
}
