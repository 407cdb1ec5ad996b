import './app.css';

import { mount } from 'svelte';

import App from './App.svelte';

// The start-up timeline (B7): when the window's script is loaded, parsed and its modules run, and
// when the app is mounted (the first page is asked for in between).
performance.mark('kyc-desk:script-ready');

const target = document.getElementById('app');
if (!target) {
  throw new Error('index.html has no #app element to mount KYC Desk into');
}

const app = mount(App, { target });
performance.mark('kyc-desk:mounted');

export default app;
