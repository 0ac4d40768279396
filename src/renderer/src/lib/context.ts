import { createContext } from 'svelte';
import type { AppState } from './AppState.svelte';

/** The window's AppState, provided by App.svelte to every component below it. */
export const [getApp, setApp] = createContext<AppState>();
