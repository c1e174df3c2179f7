export { type System, startSystem } from './system.ts';
