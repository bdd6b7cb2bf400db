/**
 * A file picked on a phone, made ready for POST /dispatch/jobs/:id/files: photos larger than the
 * server takes (1 MiB) are redrawn at most 1600 px wide as JPEG; the bytes go as base64.
 */
export const MAX_UPLOAD_BYTES = 1024 * 1024;
const MAX_EDGE = 1600;

export interface PreparedFile {
  fileName: string;
  contentType: string;
  contentBase64: string;
  sizeBytes: number;
}

export async function prepareUpload(file: File): Promise<PreparedFile> {
  let blob: Blob = file;
  let fileName = file.name || 'file';
  if (file.size > MAX_UPLOAD_BYTES && /^image\/(jpeg|png|webp|heic|heif)$/.test(file.type)) {
    blob = await shrinkImage(file);
    fileName = fileName.replace(/\.[^.]+$/, '') + '.jpg';
  }
  const bytes = new Uint8Array(await blob.arrayBuffer());
  return { fileName, contentType: blob.type || 'application/octet-stream', contentBase64: toBase64(bytes), sizeBytes: bytes.length };
}

async function shrinkImage(file: File): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the photo could not be converted'))), 'image/jpeg', 0.82));
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: String.fromCharCode with a million arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
