export * from './discover.js';
export * from './match.js';
