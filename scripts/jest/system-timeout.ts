// System specs (sshd, live scenarios, npm installs) may take minutes on a busy 2-core machine;
// Jest's testTimeout is global, so the `system` project raises it here.
import { jest } from '@jest/globals';

jest.setTimeout(600_000);
