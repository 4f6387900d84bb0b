// A picked image made small enough for a card: drawn into a canvas no larger than 256 px a
// side and encoded as JPEG, lowering the quality until it fits the contract's size limit.
import { fitWithin, fitsPhotoLimit } from './contacts-model';

const maxSide = 256;
const qualities = [0.88, 0.8, 0.7, 0.6, 0.5, 0.4];

export async function downscalePhoto(file: Blob): Promise<string> {
  if (!file.type.startsWith('image/')) throw new Error('That file is not an image.');
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error('This image could not be read.');
  }
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height, maxSide);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This image could not be drawn.');
    // JPEG has no transparency: a transparent PNG would otherwise turn black.
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = 'high';
    context.drawImage(bitmap, 0, 0, width, height);
    for (const quality of qualities) {
      const uri = canvas.toDataURL('image/jpeg', quality);
      if (fitsPhotoLimit(uri)) return uri;
    }
    throw new Error('This image stays too large even when made small.');
  } finally {
    bitmap.close();
  }
}
