/**
 * A video prompt from a file the user picks: an image, or a short clip of which the
 * last frames are taken one model tick apart. Each frame is scaled (centre-cropped to a
 * square first) to the model's frame size and sent as raw RGB in base64.
 */

export interface PromptFrames {
  /** Base64 RGB frames, oldest first. */
  frames: string[];
  /** The newest frame, drawn for a preview. */
  preview: HTMLCanvasElement;
}

export async function promptFromFile(
  file: File,
  size: { width: number; height: number },
  maxFrames: number,
  fps: number,
): Promise<PromptFrames> {
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const url = URL.createObjectURL(file);
  try {
    const frames: string[] = [];
    if (file.type.startsWith('image/')) {
      const image = new Image();
      image.src = url;
      await image.decode();
      frames.push(grab(ctx, image, image.naturalWidth, image.naturalHeight));
    } else if (file.type.startsWith('video/')) {
      const video = document.createElement('video');
      video.muted = true;
      video.src = url;
      await once(video, 'loadeddata');
      const end = Number.isFinite(video.duration) ? video.duration : 0;
      for (let i = maxFrames - 1; i >= 0; i--) {
        video.currentTime = Math.max(0, end - 0.001 - i / fps);
        await once(video, 'seeked');
        frames.push(grab(ctx, video, video.videoWidth, video.videoHeight));
      }
    } else {
      throw new Error(
        `a video prompt is an image or a video; "${file.name}" is ${file.type || 'neither'}`,
      );
    }
    return { frames, preview: canvas };
  } finally {
    URL.revokeObjectURL(url);
  }
}

function grab(
  ctx: CanvasRenderingContext2D,
  source: CanvasImageSource,
  w: number,
  h: number,
): string {
  const side = Math.min(w, h);
  const { width, height } = ctx.canvas;
  ctx.drawImage(source, (w - side) / 2, (h - side) / 2, side, side, 0, 0, width, height);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  let binary = '';
  for (let i = 0; i < rgb.length; i += 0x8000)
    binary += String.fromCharCode(...rgb.subarray(i, i + 0x8000));
  return btoa(binary);
}

function once(target: EventTarget, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    target.addEventListener(event, () => resolve(), { once: true });
    target.addEventListener(
      'error',
      () => reject(new Error(`could not read the file (${event})`)),
      {
        once: true,
      },
    );
  });
}
