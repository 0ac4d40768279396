import type { ParleyBridge } from '../shared/api';

declare global {
  interface Window {
    /** The only door from the window to the app: see src/shared/api.ts. */
    readonly parley: ParleyBridge;
  }
}

export {};
