import { createContext } from 'svelte';
import type { AppState } from './AppState.svelte';
import type { RoomState } from './RoomState.svelte';

/** The window's AppState, provided by App.svelte to every component below it. */
export const [getApp, setApp] = createContext<AppState>();

/** The room a RoomView shows, provided by RoomView to every component of the room below it. */
export const [getRoom, setRoom] = createContext<RoomState>();
