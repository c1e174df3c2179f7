// The words of the publishable keys part of the API keys page (the on-site widget's pk_ keys).
import { words } from '../i18n.ts';

export const pk = words({
  en: {
    title: 'Publishable keys (on-site widget)',
    intro:
      'A pk_ key goes in the script tag on your site. It can only show and answer the surveys listed for it, only on the origins listed, and opens no API route.',
    none: 'No publishable keys yet.',
    name: 'Name',
    key: 'Key',
    surveys: 'Surveys',
    origins: 'Allowed origins',
    originsHint:
      'One per line, exactly as the browser shows it: https://shop.example or http://localhost:8080',
    create: 'Create a publishable key',
    createButton: 'Create publishable key',
    revoke: 'Revoke',
    revokeLabel: 'Revoke publishable key {name}',
    revoked: 'revoked',
    created: 'Publishable key created: add it to your site with the script tag below.',
    revokedNotice: 'Publishable key revoked: the widget stops at once.',
    snippet: 'Script tag',
    noSurveys: 'Create a survey first: a publishable key needs at least one.',
  },
  ru: {
    title: 'Публикуемые ключи (виджет на сайте)',
    intro:
      'Ключ pk_ вставляется в тег script на вашем сайте. Он может только показывать указанные для него опросы и принимать ответы на них, только на указанных источниках, и не открывает ни одного маршрута API.',
    none: 'Публикуемых ключей пока нет.',
    name: 'Название',
    key: 'Ключ',
    surveys: 'Опросы',
    origins: 'Разрешённые источники',
    originsHint:
      'По одному в строке, точно как их показывает браузер: https://shop.example или http://localhost:8080',
    create: 'Создать публикуемый ключ',
    createButton: 'Создать публикуемый ключ',
    revoke: 'Отозвать',
    revokeLabel: 'Отозвать публикуемый ключ {name}',
    revoked: 'отозван',
    created: 'Публикуемый ключ создан: добавьте его на сайт тегом script ниже.',
    revokedNotice: 'Публикуемый ключ отозван: виджет сразу перестаёт работать.',
    snippet: 'Тег script',
    noSurveys: 'Сначала создайте опрос: публикуемому ключу нужен хотя бы один.',
  },
  pl: {
    title: 'Klucze publiczne (widżet na stronie)',
    intro:
      'Klucz pk_ umieszcza się w tagu script na Twojej stronie. Może tylko wyświetlać wskazane dla niego ankiety i przyjmować na nie odpowiedzi, tylko na wskazanych originach, i nie otwiera żadnej ścieżki API.',
    none: 'Nie ma jeszcze kluczy publicznych.',
    name: 'Nazwa',
    key: 'Klucz',
    surveys: 'Ankiety',
    origins: 'Dozwolone originy',
    originsHint:
      'Jeden w wierszu, dokładnie tak, jak pokazuje je przeglądarka: https://shop.example lub http://localhost:8080',
    create: 'Utwórz klucz publiczny',
    createButton: 'Utwórz klucz publiczny',
    revoke: 'Unieważnij',
    revokeLabel: 'Unieważnij klucz publiczny {name}',
    revoked: 'unieważniony',
    created: 'Klucz publiczny utworzony: dodaj go do strony tagiem script poniżej.',
    revokedNotice: 'Klucz publiczny unieważniony: widżet od razu przestaje działać.',
    snippet: 'Tag script',
    noSurveys: 'Najpierw utwórz ankietę: klucz publiczny potrzebuje co najmniej jednej.',
  },
});
