// Filling a follow-up message's placeholders for one customer.
import { fill } from './templates/locales.ts';

/** Fills {name} {company} {score} {link}; without a name, ", {name}" goes away rather than leave ", ,". */
export function personalize(
  template: string,
  values: { name: string | null; company: string; score: number },
  link: string | null,
): string {
  const name = values.name ?? '';
  const text = name ? template : template.replaceAll(', {name}', '').replaceAll(' {name}', '');
  return fill(text, {
    name,
    company: values.company,
    score: String(values.score),
    link: link ?? '',
  }).trim();
}
