import { mount } from 'svelte';
import App from './App.svelte';
// First, so data-theme is set before the first paint.
import './theme.svelte';
import { selectTransport } from './transport';
import './styles.css';
import './theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

const { transport, connection } = selectTransport();
mount(App, { target, props: { transport, connection } });
