export { dispatcher } from './app.ts';
