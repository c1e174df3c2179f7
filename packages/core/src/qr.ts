// QR codes for survey links: the query options an HTTP route accepts, and the SVG or PNG they render to.
import * as QRCode from 'qrcode';
import { z } from 'zod';

/** Query-string options (every value arrives as a string); a bad one is an issue on its own field. */
export const qrOptionsSchema = z.object({
  format: z.enum(['svg', 'png']).default('svg'),
  /** Pixel width (and height) of the image. */
  size: z.coerce.number().int().min(64).max(2048).default(320),
  /** Quiet zone around the symbol, in modules; scanners want 4. */
  margin: z.coerce.number().int().min(0).max(16).default(4),
  /** Error correction: L 7 %, M 15 %, Q 25 %, H 30 % of the symbol may be lost. */
  ecl: z.enum(['L', 'M', 'Q', 'H']).default('M'),
});

export type QrOptions = z.infer<typeof qrOptionsSchema>;

export type RenderedQr =
  | { contentType: 'image/svg+xml'; body: string }
  | { contentType: 'image/png'; body: Buffer };

/**
 * The SVG always takes `size` as its width and height. A PNG too narrow for one pixel per module (a long
 * text in a small size) comes out larger than `size`, at 4 pixels per module, rather than unreadable.
 */
export async function renderQr(text: string, options: QrOptions): Promise<RenderedQr> {
  const common = { margin: options.margin, errorCorrectionLevel: options.ecl };
  if (options.format === 'svg')
    return {
      contentType: 'image/svg+xml',
      body: await QRCode.toString(text, { ...common, width: options.size, type: 'svg' }),
    };
  // qrcode floors modules × (width / modules) for the PNG, which float error can put a pixel short of width.
  return {
    contentType: 'image/png',
    body: await QRCode.toBuffer(text, { ...common, width: options.size + 0.5 }),
  };
}
