#!/usr/bin/env node
// The edgecourier command. It runs the TypeScript sources directly through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
