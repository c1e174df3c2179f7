// The languages we speak (en, ru, pl) and every interface string in them; survey questions come from the survey itself.
import Negotiator from 'negotiator';

export const locales = ['en', 'ru', 'pl'] as const;
export type Locale = (typeof locales)[number];

/**
 * "pl-PL" → pl, "ru_RU" → ru, an Accept-Language list → the language we speak that it weighs highest
 * (q-values, then order), anything else → en.
 */
export function pickLocale(requested?: string | null): Locale {
  // A contact's locale may be a POSIX one (ru_RU); Accept-Language spells it ru-RU.
  const header = (requested ?? '').replaceAll('_', '-');
  const picked = new Negotiator({ headers: { 'accept-language': header } }).language(locales);
  return (locales as readonly string[]).includes(picked ?? '') ? (picked as Locale) : 'en';
}

/** The text for a locale: exact, else English, else whatever the operator wrote first. */
export function localized(texts: Record<string, string>, locale: string): string {
  return texts[locale] ?? texts.en ?? Object.values(texts)[0] ?? '';
}

/** A survey question in the respondent's language with {company} filled in. */
export function renderQuestion(texts: Record<string, string>, locale: string, company: string): string {
  return localized(texts, locale).replaceAll('{company}', company);
}

const en = {
  greeting: 'Hi {name},',
  greetingAnonymous: 'Hello,',
  emailSubject: {
    nps: 'Would you recommend {company}? One click to answer',
    csat: 'How did {company} do? One click to answer',
    ces: 'Was it easy to deal with {company}? One click to answer',
  },
  emailIntro: 'It takes one click: choose a number below.',
  reminderPrefix: 'Reminder: ',
  reminderIntro: 'We would still love to hear from you. It takes one click: choose a number below.',
  emailFooter: 'This link is personal to you: please do not forward this email.',
  scaleLow: { nps: 'Not at all likely', csat: 'Very dissatisfied', ces: 'Very difficult' },
  scaleHigh: { nps: 'Extremely likely', csat: 'Very satisfied', ces: 'Very easy' },
  commentLabel: 'Tell us more (optional)',
  submit: 'Send',
  skip: 'Skip',
  followupThanks: 'Thank you for your score!',
  thanksTitle: 'Thank you!',
  thanksMessage: 'Your answer helps {company} get better.',
  changeUntil: 'You can still change your answer until {time}.',
  changeAnswer: 'Change my answer',
  alreadyAnswered: 'We have your answer. You can change it below for a little while.',
  notFoundTitle: 'Survey not found',
  notFoundMessage: 'This survey link is not valid. Please check that you copied the whole link.',
  expiredTitle: 'This link has expired',
  expiredMessage: 'This survey is closed. Thank you for your interest.',
  editClosedTitle: 'Your answer is final',
  editClosedMessage: 'The time to change this answer has passed. Thank you for taking part.',
  badAnswerTitle: 'Please choose a score',
  poweredBy: 'Survey by {company}',
  unsubscribeLink: 'Unsubscribe from surveys',
  unsubscribeTitle: 'Stop survey emails from {company}?',
  unsubscribeButton: 'Unsubscribe',
  unsubscribedTitle: 'You are unsubscribed',
  unsubscribedMessage: '{company} will not send you surveys any more.',
  undoButton: 'I did not mean that: subscribe me again',
  resubscribedTitle: 'Welcome back',
  resubscribedMessage: '{company} may ask for your opinion again now and then.',
  confirmAnswer: 'Please confirm your answer.',
  thanksSubject: 'Thank you from {company}',
  referralBody:
    'Thank you, {name}! We are glad you like {company}. If a friend might too, share your personal link: {link}',
  referralButton: 'Share with a friend',
  reviewBody:
    'Thank you for your answer, {name}. Would you tell others about your experience with {company}? {link}',
  reviewButton: 'Write a review',
  /** The passive's question, per scale: a CSAT 3 of 5 is never asked for a 10. */
  passiveSubject: {
    nps: 'What would make it a 10?',
    csat: 'What would make it a 5?',
    ces: 'What would have made it easier?',
  },
  passiveBody: {
    nps: 'Thank you for your answer, {name}. What is the one thing {company} could do to make it a 10? Just reply: your answer goes straight to our team.',
    csat: 'Thank you for your answer, {name}. What is the one thing {company} could do to make it a 5 next time? Just reply: your answer goes straight to our team.',
    ces: 'Thank you for your answer, {name}. What is the one thing {company} could do to make it easier for you? Just reply: your answer goes straight to our team.',
  },
  caseAckSubject: 'We are on it: your feedback to {company}',
  caseAckBody:
    'Thank you for telling us, {name}, and we are sorry it was not what you hoped for. Someone from the {company} team is looking into it and will get back to you within {hours} hours. Just reply to add anything.',
  /** The review link inside a segment's own message: the same words for every segment. */
  reviewInvite:
    'If you would like to tell others about your experience with {company}, you can write a review: {link}',
  caseClosedSubject: 'About your feedback to {company}',
  deviceLimitTitle: 'You have already answered here',
  deviceLimitMessage:
    'Thank you! One answer per person keeps the results fair. You can answer again after {time}.',
  smsReplyHint: 'Reply {min}-{max}',
  smsLinkHint: 'or tap {url}',
  smsStopHint: 'STOP to opt out',
  smsThanks: 'Thank you! Your answer helps {company} get better.',
  smsStopped: 'You will get no more messages from {company}. Reply START to resubscribe.',
  smsStarted: '{company} may text you a short survey now and then. Reply STOP to opt out.',
  smsHelp: '{company} surveys: reply with a number {min}-{max} to answer, STOP to opt out.',
  smsNotUnderstood: 'Sorry, we did not get that. Reply with a number {min}-{max}, or STOP to opt out.',
  smsNoSurvey: 'There is no open survey for this number. Reply STOP to opt out.',
} as const;

type Strings = {
  [K in keyof typeof en]: (typeof en)[K] extends string ? string : { [P in keyof (typeof en)[K]]: string };
};

const ru: Strings = {
  greeting: 'Здравствуйте, {name}!',
  greetingAnonymous: 'Здравствуйте!',
  emailSubject: {
    nps: 'Порекомендуете ли вы {company}? Ответ в один клик',
    csat: 'Как вам {company}? Ответ в один клик',
    ces: 'Легко ли было с {company}? Ответ в один клик',
  },
  emailIntro: 'Это займёт один клик: выберите число ниже.',
  reminderPrefix: 'Напоминание: ',
  reminderIntro: 'Нам по-прежнему очень важно ваше мнение. Это займёт один клик: выберите число ниже.',
  emailFooter: 'Эта ссылка персональная: пожалуйста, не пересылайте это письмо.',
  scaleLow: { nps: 'Совсем маловероятно', csat: 'Очень недоволен', ces: 'Очень сложно' },
  scaleHigh: { nps: 'Очень вероятно', csat: 'Очень доволен', ces: 'Очень легко' },
  commentLabel: 'Расскажите подробнее (необязательно)',
  submit: 'Отправить',
  skip: 'Пропустить',
  followupThanks: 'Спасибо за вашу оценку!',
  thanksTitle: 'Спасибо!',
  thanksMessage: 'Ваш ответ помогает {company} становиться лучше.',
  changeUntil: 'Вы можете изменить ответ до {time}.',
  changeAnswer: 'Изменить ответ',
  alreadyAnswered: 'Мы получили ваш ответ. Ещё какое-то время его можно изменить.',
  notFoundTitle: 'Опрос не найден',
  notFoundMessage: 'Ссылка на опрос недействительна. Проверьте, что вы скопировали её целиком.',
  expiredTitle: 'Срок действия ссылки истёк',
  expiredMessage: 'Этот опрос закрыт. Спасибо за интерес.',
  editClosedTitle: 'Ваш ответ сохранён окончательно',
  editClosedMessage: 'Время для изменения ответа истекло. Спасибо за участие.',
  badAnswerTitle: 'Пожалуйста, выберите оценку',
  poweredBy: 'Опрос от {company}',
  unsubscribeLink: 'Отписаться от опросов',
  unsubscribeTitle: 'Больше не получать опросы от {company}?',
  unsubscribeButton: 'Отписаться',
  unsubscribedTitle: 'Вы отписались',
  unsubscribedMessage: '{company} больше не будет присылать вам опросы.',
  undoButton: 'Я передумал(а): подпишите меня снова',
  resubscribedTitle: 'С возвращением',
  resubscribedMessage: '{company} иногда снова будет спрашивать ваше мнение.',
  confirmAnswer: 'Пожалуйста, подтвердите ваш ответ.',
  thanksSubject: 'Спасибо от {company}',
  referralBody:
    'Спасибо, {name}! Мы рады, что вам нравится {company}. Если другу тоже понравится, поделитесь личной ссылкой: {link}',
  referralButton: 'Поделиться с другом',
  reviewBody: 'Спасибо за ответ, {name}. Расскажете другим о вашем опыте с {company}? {link}',
  reviewButton: 'Написать отзыв',
  passiveSubject: {
    nps: 'Что сделало бы оценку 10?',
    csat: 'Что сделало бы оценку 5?',
    ces: 'Что сделало бы это проще?',
  },
  passiveBody: {
    nps: 'Спасибо за ответ, {name}. Что одно {company} могла бы сделать, чтобы вы поставили 10? Просто ответьте: ваш ответ попадёт прямо к нашей команде.',
    csat: 'Спасибо за ответ, {name}. Что одно {company} могла бы сделать, чтобы в следующий раз вы поставили 5? Просто ответьте: ваш ответ попадёт прямо к нашей команде.',
    ces: 'Спасибо за ответ, {name}. Что одно {company} могла бы сделать, чтобы вам было проще? Просто ответьте: ваш ответ попадёт прямо к нашей команде.',
  },
  caseAckSubject: 'Мы занимаемся вашим отзывом для {company}',
  caseAckBody:
    'Спасибо, что рассказали нам, {name}, и простите, что всё вышло не так, как вы ожидали. Сотрудник {company} уже разбирается и свяжется с вами в течение {hours} ч. Если хотите что-то добавить, просто ответьте.',
  reviewInvite: 'Если захотите рассказать другим о вашем опыте с {company}, оставьте отзыв: {link}',
  caseClosedSubject: 'О вашем отзыве для {company}',
  deviceLimitTitle: 'Вы уже ответили здесь',
  deviceLimitMessage:
    'Спасибо! Один ответ от человека делает результаты честными. Ответить снова можно после {time}.',
  smsReplyHint: 'Ответьте числом {min}-{max}',
  smsLinkHint: 'или по ссылке {url}',
  smsStopHint: 'STOP - отписаться',
  smsThanks: 'Спасибо! Ваш ответ помогает {company} становиться лучше.',
  smsStopped: 'Сообщений от {company} больше не будет. Ответьте START, чтобы подписаться снова.',
  smsStarted: '{company} иногда будет присылать короткий опрос. STOP - отписаться.',
  smsHelp: 'Опросы {company}: ответьте числом {min}-{max}, STOP - отписаться.',
  smsNotUnderstood: 'Не удалось понять ответ. Ответьте числом {min}-{max} или STOP, чтобы отписаться.',
  smsNoSurvey: 'Для этого номера нет открытого опроса. STOP - отписаться.',
};

const pl: Strings = {
  greeting: 'Cześć {name},',
  greetingAnonymous: 'Dzień dobry,',
  emailSubject: {
    nps: 'Czy polecisz {company}? Odpowiedź jednym kliknięciem',
    csat: 'Jak oceniasz {company}? Odpowiedź jednym kliknięciem',
    ces: 'Czy załatwienie sprawy w {company} było łatwe? Odpowiedź jednym kliknięciem',
  },
  emailIntro: 'To zajmie jedno kliknięcie: wybierz liczbę poniżej.',
  reminderPrefix: 'Przypomnienie: ',
  reminderIntro:
    'Nadal bardzo chcemy poznać Twoją opinię. To zajmie jedno kliknięcie: wybierz liczbę poniżej.',
  emailFooter: 'Ten link jest przeznaczony tylko dla Ciebie: prosimy nie przekazywać tej wiadomości.',
  scaleLow: { nps: 'Zdecydowanie nie', csat: 'Bardzo niezadowolony', ces: 'Bardzo trudne' },
  scaleHigh: { nps: 'Zdecydowanie tak', csat: 'Bardzo zadowolony', ces: 'Bardzo łatwe' },
  commentLabel: 'Powiedz nam więcej (opcjonalnie)',
  submit: 'Wyślij',
  skip: 'Pomiń',
  followupThanks: 'Dziękujemy za ocenę!',
  thanksTitle: 'Dziękujemy!',
  thanksMessage: 'Twoja odpowiedź pomaga {company} stawać się lepszym.',
  changeUntil: 'Możesz zmienić odpowiedź do {time}.',
  changeAnswer: 'Zmień odpowiedź',
  alreadyAnswered: 'Mamy Twoją odpowiedź. Przez chwilę możesz ją jeszcze zmienić.',
  notFoundTitle: 'Nie znaleziono ankiety',
  notFoundMessage: 'Ten link do ankiety jest nieprawidłowy. Sprawdź, czy skopiowano cały link.',
  expiredTitle: 'Ten link wygasł',
  expiredMessage: 'Ta ankieta jest zamknięta. Dziękujemy za zainteresowanie.',
  editClosedTitle: 'Twoja odpowiedź jest ostateczna',
  editClosedMessage: 'Czas na zmianę odpowiedzi minął. Dziękujemy za udział.',
  badAnswerTitle: 'Wybierz ocenę',
  poweredBy: 'Ankieta {company}',
  unsubscribeLink: 'Wypisz się z ankiet',
  unsubscribeTitle: 'Nie chcesz otrzymywać ankiet od {company}?',
  unsubscribeButton: 'Wypisz mnie',
  unsubscribedTitle: 'Wypisano Cię',
  unsubscribedMessage: '{company} nie będzie już wysyłać Ci ankiet.',
  undoButton: 'To pomyłka: zapisz mnie ponownie',
  resubscribedTitle: 'Witamy ponownie',
  resubscribedMessage: '{company} czasem znów zapyta Cię o zdanie.',
  confirmAnswer: 'Potwierdź swoją odpowiedź.',
  thanksSubject: 'Podziękowania od {company}',
  referralBody:
    'Dziękujemy, {name}! Cieszymy się, że lubisz {company}. Jeśli znajomy też polubi, udostępnij swój osobisty link: {link}',
  referralButton: 'Poleć znajomemu',
  reviewBody:
    'Dziękujemy za odpowiedź, {name}. Czy opowiesz innym o swoich doświadczeniach z {company}? {link}',
  reviewButton: 'Napisz opinię',
  passiveSubject: {
    nps: 'Co sprawiłoby, że dasz 10?',
    csat: 'Co sprawiłoby, że dasz 5?',
    ces: 'Co ułatwiłoby Ci sprawę?',
  },
  passiveBody: {
    nps: 'Dziękujemy za odpowiedź, {name}. Jedna rzecz, którą {company} mogłaby zrobić, by była to 10? Po prostu odpowiedz: Twoja odpowiedź trafi prosto do naszego zespołu.',
    csat: 'Dziękujemy za odpowiedź, {name}. Jedna rzecz, którą {company} mogłaby zrobić, by następnym razem była to 5? Po prostu odpowiedz: Twoja odpowiedź trafi prosto do naszego zespołu.',
    ces: 'Dziękujemy za odpowiedź, {name}. Jedna rzecz, którą {company} mogłaby zrobić, by było Ci łatwiej? Po prostu odpowiedz: Twoja odpowiedź trafi prosto do naszego zespołu.',
  },
  caseAckSubject: 'Zajmujemy się Twoją opinią dla {company}',
  caseAckBody:
    'Dziękujemy, że nam o tym napisałeś, {name}, i przepraszamy, że nie było tak, jak oczekiwałeś. Ktoś z zespołu {company} już się tym zajmuje i odezwie się w ciągu {hours} godz. Jeśli chcesz coś dodać, po prostu odpowiedz.',
  reviewInvite:
    'Jeśli chcesz opowiedzieć innym o swoich doświadczeniach z {company}, możesz napisać opinię: {link}',
  caseClosedSubject: 'W sprawie Twojej opinii dla {company}',
  deviceLimitTitle: 'Już tu odpowiedziałeś',
  deviceLimitMessage:
    'Dziękujemy! Jedna odpowiedź na osobę zapewnia rzetelne wyniki. Możesz odpowiedzieć ponownie po {time}.',
  smsReplyHint: 'Odpowiedz {min}-{max}',
  smsLinkHint: 'lub kliknij {url}',
  smsStopHint: 'STOP aby wypisac',
  smsThanks: 'Dziekujemy! Twoja odpowiedz pomaga {company} byc lepszym.',
  smsStopped: 'Nie dostaniesz wiecej wiadomosci od {company}. Odpowiedz START, aby wrocic.',
  smsStarted: '{company} czasem przysle krotka ankiete. STOP aby wypisac.',
  smsHelp: 'Ankiety {company}: odpowiedz liczba {min}-{max}, STOP aby wypisac.',
  smsNotUnderstood: 'Nie rozumiemy. Odpowiedz liczba {min}-{max} lub STOP aby wypisac.',
  smsNoSurvey: 'Brak otwartej ankiety dla tego numeru. STOP aby wypisac.',
};

export const strings: Record<Locale, Strings> = { en, ru, pl };
export type TextKey = { [K in keyof Strings]: Strings[K] extends string ? K : never }[keyof Strings];

/** A default text in every language we speak, e.g. everyLocale((t) => t.passiveBody.csat). */
export const everyLocale = (pick: (t: Strings) => string): Record<Locale, string> =>
  Object.fromEntries(locales.map((l) => [l, pick(strings[l])])) as Record<Locale, string>;

/** A UI string with {placeholders} filled in. */
export function uiText(locale: Locale, key: TextKey, vars: Record<string, string> = {}): string {
  return fill(strings[locale][key], vars);
}

export const fill = (template: string, vars: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m);
