// renderQr read back by a scanner (jsqr), and the query options schema.
import fc from 'fast-check';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { type QrOptions, qrOptionsSchema, renderQr } from './qr.ts';

const link = 'https://survey.example.com/s/Zm9vYmFyYmF6cXV4cXV1eHh5enp6enp6';
const options = (overrides: Partial<QrOptions> = {}) => qrOptionsSchema.parse(overrides);

/** What a phone camera would read from the PNG, and the image's width. */
function scan(png: string | Buffer) {
  if (typeof png === 'string') throw new Error('expected a PNG buffer');
  const image = PNG.sync.read(png);
  // jsqr is CommonJS typed as an ES default export, so under NodeNext the function is `.default` (it is set).
  return {
    text: jsqr.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data,
    width: image.width,
  };
}

describe('renderQr', () => {
  it('a PNG scans back to the exact link, at size × size pixels, for every error correction level', async () => {
    const combos: Partial<QrOptions>[] = [
      { ecl: 'L', margin: 4, size: 320 },
      { ecl: 'M', margin: 0, size: 100 },
      { ecl: 'Q', margin: 2, size: 512 },
      { ecl: 'H', margin: 16, size: 1024 },
      { ecl: 'H', margin: 1, size: 2048 },
    ];
    for (const combo of combos) {
      const qr = await renderQr(link, options({ ...combo, format: 'png' }));
      expect(qr.contentType).toBe('image/png');
      expect(scan(qr.body), JSON.stringify(combo)).toEqual({ text: link, width: combo.size });
    }
  });

  it('an SVG is one well-formed <svg> element with a viewBox, drawn at the requested size', async () => {
    const qr = await renderQr(link, options({ size: 480 }));
    expect(qr.contentType).toBe('image/svg+xml');
    const svg = String(qr.body).trim();
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.match(/<svg /g)).toHaveLength(1);
    expect(svg).toMatch(/ viewBox="0 0 \d+ \d+"/);
    expect(svg).toContain(' width="480" height="480"');
  });

  it('the margin widens the viewBox by two quiet zones', async () => {
    const viewBox = async (margin: number) =>
      Number(/viewBox="0 0 (\d+)/.exec(String((await renderQr(link, options({ margin }))).body))?.[1]);
    expect((await viewBox(4)) - (await viewBox(0))).toBe(8);
  });

  it('property: any https link up to 300 characters scans back from the default PNG', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .webUrl({ validSchemes: ['https'], withQueryParameters: true, withFragments: true })
          .filter((url) => url.length <= 300),
        async (url) => {
          expect(scan((await renderQr(url, options({ format: 'png' }))).body).text).toBe(url);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('qrOptionsSchema', () => {
  it('defaults to a 320 px SVG with a 4-module quiet zone and level M', () => {
    expect(qrOptionsSchema.parse({})).toEqual({ format: 'svg', size: 320, margin: 4, ecl: 'M' });
  });

  it('coerces query-string values', () => {
    expect(qrOptionsSchema.parse({ format: 'png', size: '1024', margin: '0', ecl: 'H' })).toEqual({
      format: 'png',
      size: 1024,
      margin: 0,
      ecl: 'H',
    });
  });

  it('rejects a bad value naming its field', () => {
    const fields = (query: Record<string, string>) =>
      qrOptionsSchema.safeParse(query).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(fields({ size: '10' })).toEqual(['size']);
    expect(fields({ ecl: 'X' })).toEqual(['ecl']);
    expect(fields({ size: '4096', margin: '17' })).toEqual(['size', 'margin']);
    expect(fields({ size: '320.5' })).toEqual(['size']);
    expect(fields({ size: 'big' })).toEqual(['size']);
    expect(fields({ format: 'gif' })).toEqual(['format']);
  });
});
