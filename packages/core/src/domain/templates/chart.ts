// Charts for email, drawn on the server: echarts (the console's chart library) renders SVG, resvg turns it into a PNG mail clients show inline.
import type { SurveyKind } from '../kinds.ts';

type Libraries = { echarts: typeof import('echarts'); Resvg: typeof import('@resvg/resvg-js').Resvg };
let libraries: Promise<Libraries> | undefined;
/**
 * Loaded with the first chart, not at start-up: importing echarts takes seconds on a busy machine,
 * and every process imports core while only a worker sending a digest draws.
 */
function load(): Promise<Libraries> {
  libraries ??= Promise.all([import('echarts'), import('@resvg/resvg-js')]).then(([echarts, resvg]) => ({
    echarts,
    Resvg: resvg.Resvg,
  }));
  return libraries;
}

/** The series colour (the emails' accent); tests look for its pixels. */
export const CHART_COLOUR = '#4f46e5';

export type TrendPoint = { label: string; score: number | null; low: number | null; high: number | null };

const axis: Record<SurveyKind, { min: number; max: number; name: string }> = {
  nps: { min: -100, max: 100, name: 'NPS' },
  csat: { min: 0, max: 100, name: '% satisfied' },
  ces: { min: 1, max: 7, name: 'mean effort (7 = easy)' },
};

/** A week-by-week line of the score with its 95 % interval as a band, as SVG (echarts' server-side renderer). */
export async function trendChartSvg(
  kind: SurveyKind,
  points: readonly TrendPoint[],
  width = 560,
  height = 220,
  opts: { axisName?: string } = {},
): Promise<string> {
  const { echarts } = await load();
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  const low = points.map((p) => p.low);
  // The band is the low line plus a stacked (high − low) area on top of it.
  const spread = points.map((p) => (p.low === null || p.high === null ? null : p.high - p.low));
  chart.setOption({
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: 'DejaVu Sans, Arial, sans-serif' },
    grid: { left: 48, right: 16, top: 28, bottom: 28 },
    xAxis: { type: 'category', data: points.map((p) => p.label), boundaryGap: false },
    yAxis: {
      type: 'value',
      min: axis[kind].min,
      max: axis[kind].max,
      name: opts.axisName ?? axis[kind].name,
      nameTextStyle: { align: 'left' },
    },
    series: [
      // stackStrategy 'all': a negative low edge still carries the band (the default stacks by sign).
      {
        type: 'line',
        data: low,
        stack: 'ci',
        stackStrategy: 'all',
        lineStyle: { opacity: 0 },
        symbol: 'none',
        silent: true,
      },
      {
        type: 'line',
        data: spread,
        stack: 'ci',
        stackStrategy: 'all',
        lineStyle: { opacity: 0 },
        symbol: 'none',
        areaStyle: { color: CHART_COLOUR, opacity: 0.12 },
        silent: true,
      },
      {
        type: 'line',
        data: points.map((p) => p.score),
        color: CHART_COLOUR,
        lineStyle: { width: 3, color: CHART_COLOUR },
        symbolSize: 7,
        connectNulls: false,
      },
    ],
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

/** The SVG as a PNG at twice its size (sharp on high-density screens); the width and height are the PNG's. */
export async function svgToPng(
  svg: string,
  width: number,
): Promise<{ png: Buffer; width: number; height: number }> {
  const { Resvg } = await load();
  const rendered = new Resvg(svg, {
    fitTo: { mode: 'width', value: width * 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  }).render();
  return { png: rendered.asPng(), width: rendered.width, height: rendered.height };
}

/**
 * The chart for a page whose CSP allows no inline style: echarts' inline `style` attributes (text font) and its
 * `<style>` element (hover effects only) are dropped; the page's stylesheet sets the font of `svg text`.
 */
export function withoutInlineStyles(svg: string): string {
  return svg.replace(/\sstyle="[^"]*"/g, '').replace(/<style\b[^>]*>[\s\S]*?<\/style>/g, '');
}
