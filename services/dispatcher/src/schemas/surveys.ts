// Surveys and triggers as the API takes and shows them: the schemas live in @surveyflow/http, shared with the console's forms.
export {
  cancelNeedsKey,
  cancelNeedsKeyIssue,
  SurveyInput,
  SurveyPatch,
  SurveyView,
  TriggerInput,
  TriggerPatch,
  TriggerTestResult,
  TriggerView,
} from '@surveyflow/http';
