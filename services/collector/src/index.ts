export { collector } from './app.ts';
