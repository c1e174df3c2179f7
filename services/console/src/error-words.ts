// The rule errors core and the API's schemas report (English, as the API's error bodies keep them), in the operator's
// language on console pages: our own messages by their text, zod's built-in ones by their pattern. Pure.
import type { Locale } from '@surveyflow/core';

type Both = { ru: string; pl: string };

/** Our schemas' and core's own messages, exactly as they say them. */
const exact: Record<string, Both> = {
  'is required to resolve a case: say what was done': {
    ru: 'обязательно, чтобы закрыть обращение: напишите, что сделано',
    pl: 'jest wymagane, aby zamknąć zgłoszenie: napisz, co zrobiono',
  },
  'keys must be locales such as en or pl': {
    ru: 'ключи — коды языков, например en или pl',
    pl: 'klucze to kody języków, np. en lub pl',
  },
  'keys must be locales such as en, pl or pt-BR': {
    ru: 'ключи — коды языков, например en, pl или pt-BR',
    pl: 'klucze to kody języków, np. en, pl lub pt-BR',
  },
  'must be 1–100 letters, digits or . _ : -, e.g. order.delivered': {
    ru: '1–100 букв, цифр или . _ : -, например order.delivered',
    pl: '1–100 liter, cyfr lub . _ : -, np. order.delivered',
  },
  'must be HH:MM, 00:00–23:59': { ru: 'в виде ЧЧ:ММ, 00:00–23:59', pl: 'w postaci GG:MM, 00:00–23:59' },
  'must be a PNG or JPEG image (SVG and other formats are not accepted)': {
    ru: 'должно быть изображение PNG или JPEG (SVG и другие форматы не принимаются)',
    pl: 'musi być obrazem PNG lub JPEG (SVG i inne formaty nie są przyjmowane)',
  },
  'must be a UUID': { ru: 'должно быть UUID', pl: 'musi być UUID' },
  'must be a Zendesk tag: lower-case letters, digits, _ : -': {
    ru: 'тег Zendesk: строчные буквы, цифры, _ : -',
    pl: 'tag Zendesk: małe litery, cyfry, _ : -',
  },
  'must be a colour like #1d4ed8': { ru: 'цвет вида #1d4ed8', pl: 'kolor w rodzaju #1d4ed8' },
  'must be a field such as properties.orderId': {
    ru: 'поле, например properties.orderId',
    pl: 'pole, np. properties.orderId',
  },
  'must be a language tag such as en or pl-PL': {
    ru: 'код языка, например en или pl-PL',
    pl: 'kod języka, np. en lub pl-PL',
  },
  'must be a lower-case id such as delivery or product_quality (a letter, then letters, digits, _)': {
    ru: 'id строчными, например delivery или product_quality (буква, затем буквы, цифры, _)',
    pl: 'id małymi literami, np. delivery lub product_quality (litera, potem litery, cyfry, _)',
  },
  'must be a member of this workspace, or empty for nobody': {
    ru: 'участник этого пространства или пусто — никто',
    pl: 'członek tej przestrzeni lub puste — nikt',
  },
  'must be a non-negative ISO 8601 duration such as P7D': {
    ru: 'неотрицательная длительность ISO 8601, например P7D',
    pl: 'nieujemny czas trwania ISO 8601, np. P7D',
  },
  'must be a non-negative ISO 8601 duration such as PT0S, PT2H or P3D': {
    ru: 'неотрицательная длительность ISO 8601, например PT0S, PT2H или P3D',
    pl: 'nieujemny czas trwania ISO 8601, np. PT0S, PT2H lub P3D',
  },
  'must be an E.164 number such as +48600100200': {
    ru: 'номер в формате E.164, например +48600100200',
    pl: 'numer w formacie E.164, np. +48600100200',
  },
  'must be an IANA time zone such as Europe/Warsaw': {
    ru: 'часовой пояс IANA, например Europe/Warsaw',
    pl: 'strefa czasowa IANA, np. Europe/Warsaw',
  },
  'must be an http or https URL': { ru: 'адрес http или https', pl: 'adres http lub https' },
  'must be an http(s) URL': { ru: 'адрес http(s)', pl: 'adres http(s)' },
  'must be later than start (windows cannot cross midnight)': {
    ru: 'позже начала (окно не может переходить через полночь)',
    pl: 'później niż początek (okno nie może przechodzić przez północ)',
  },
  'must be the id of a zendesk connector (GET /v1/connectors)': {
    ru: 'id коннектора Zendesk (GET /v1/connectors)',
    pl: 'id konektora Zendesk (GET /v1/connectors)',
  },
  'must differ from start': { ru: 'должно отличаться от начала', pl: 'musi się różnić od początku' },
  'must have at least one locale, e.g. { "en": "…" }': {
    ru: 'нужен хотя бы один язык, например { "en": "…" }',
    pl: 'potrzebny jest co najmniej jeden język, np. { "en": "…" }',
  },
  'must not be empty': { ru: 'не должно быть пустым', pl: 'nie może być puste' },
  'must not repeat a channel': { ru: 'каналы не должны повторяться', pl: 'kanały nie mogą się powtarzać' },
  'must not repeat a role': { ru: 'роли не должны повторяться', pl: 'role nie mogą się powtarzać' },
  'must not repeat a segment': {
    ru: 'сегменты не должны повторяться',
    pl: 'segmenty nie mogą się powtarzać',
  },
  'needs a dedupeKey: it is how a refund finds the invitation of its order': {
    ru: 'нужен dedupeKey: по нему возврат находит приглашение своего заказа',
    pl: 'potrzebny jest dedupeKey: po nim zwrot znajduje zaproszenie swojego zamówienia',
  },
  'no survey with this id in your workspace': {
    ru: 'в вашем пространстве нет опроса с таким id',
    pl: 'w Twojej przestrzeni nie ma ankiety o tym id',
  },
  'review links go to every segment alike (detractor, passive, promoter) or to none: no review gating': {
    ru: 'ссылка на отзывы уходит всем сегментам одинаково (критики, нейтральные, промоутеры) или никому: без фильтрации отзывов',
    pl: 'link do opinii trafia do wszystkich segmentów tak samo (krytycy, neutralni, promotorzy) albo do nikogo: bez filtrowania opinii',
  },
  'may hold at most one single-choice question': {
    ru: 'может быть не больше одного вопроса с одним выбором',
    pl: 'może mieć najwyżej jedno pytanie jednokrotnego wyboru',
  },
  'Invalid email address': { ru: 'неверный адрес email', pl: 'nieprawidłowy adres email' },
  'Invalid URL': { ru: 'неверный URL', pl: 'nieprawidłowy URL' },
  'Invalid input': { ru: 'неверное значение', pl: 'nieprawidłowa wartość' },
};

const origin = { string: ['символов', 'znaków'], array: ['элементов', 'elementów'] } as const;

/** zod's built-in messages (and our worded ones with a number in them), by their shape. */
const patterns: [RegExp, (m: RegExpExecArray) => Both][] = [
  [
    /^Too small: expected (string|array) to have >=?(\d+) (?:characters|items)$/,
    (m) => ({
      ru: `слишком мало: нужно не меньше ${m[2]} ${origin[m[1] as 'string'][0]}`,
      pl: `za mało: potrzeba co najmniej ${m[2]} ${origin[m[1] as 'string'][1]}`,
    }),
  ],
  [
    /^Too big: expected (string|array) to have <=?(\d+) (?:characters|items)$/,
    (m) => ({
      ru: `слишком много: не больше ${m[2]} ${origin[m[1] as 'string'][0]}`,
      pl: `za dużo: najwyżej ${m[2]} ${origin[m[1] as 'string'][1]}`,
    }),
  ],
  [
    /^Too small: expected number to be >=?(-?[\d.]+)$/,
    (m) => ({ ru: `не меньше ${m[1]}`, pl: `co najmniej ${m[1]}` }),
  ],
  [
    /^Too big: expected number to be <=?(-?[\d.]+)$/,
    (m) => ({ ru: `не больше ${m[1]}`, pl: `najwyżej ${m[1]}` }),
  ],
  [
    /^Too small: expected number to be >(-?[\d.]+)$/,
    (m) => ({ ru: `больше ${m[1]}`, pl: `więcej niż ${m[1]}` }),
  ],
  [
    /^Invalid input: expected (\w+), received (\w+)$/,
    (m) => ({
      ru: `неверное значение: ожидалось ${m[1] === 'number' ? 'число' : m[1]}`,
      pl: `nieprawidłowa wartość: oczekiwano ${m[1] === 'number' ? 'liczby' : m[1]}`,
    }),
  ],
  [
    /^Invalid option: expected one of (.+)$/,
    (m) => ({ ru: `одно из значений: ${m[1]}`, pl: `jedna z wartości: ${m[1]}` }),
  ],
  [
    /^must be at most (\d+) characters$/,
    (m) => ({ ru: `не больше ${m[1]} символов`, pl: `najwyżej ${m[1]} znaków` }),
  ],
  [/^repeats the id "(.+)"$/, (m) => ({ ru: `повторяет id «${m[1]}»`, pl: `powtarza id „${m[1]}”` })],
  [
    /^repeats the option "(.+)"$/,
    (m) => ({ ru: `повторяет вариант «${m[1]}»`, pl: `powtarza opcję „${m[1]}”` }),
  ],
];

/** A rule error in the operator's language (English as it is; a message we do not know stays as it is). */
export function errorText(locale: Locale, message: string): string {
  if (locale === 'en') return message;
  const known = exact[message];
  if (known) return known[locale];
  for (const [pattern, say] of patterns) {
    const m = pattern.exec(message);
    if (m) return say(m)[locale];
  }
  return message;
}

/** Every message of a form's field errors, in the operator's language. */
export const localizedErrors = (locale: Locale, errors: Map<string, string[]>): Map<string, string[]> =>
  new Map([...errors].map(([field, messages]) => [field, messages.map((m) => errorText(locale, m))]));
