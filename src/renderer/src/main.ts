import { mount } from 'svelte';
import type { ParleyBridge } from '../../shared/api';
import App from './App.svelte';
import { AppState } from './lib/AppState.svelte';
import './app.css';

// The preload defines window.parley; opened anywhere else, the window says so instead of breaking.
const bridge = (window as { parley?: ParleyBridge }).parley;
const app = new AppState(bridge);

mount(App, { target: document.getElementById('app')!, props: { app } });
void app.start();
