export * from './location.js';
export * from './ssh.js';
export * from './transport.js';
export * from './list-remote.js';
export * from './remote-root.js';
