export { operatorConsole } from './app.ts';
