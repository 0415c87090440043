/** @module The console's entry: renders it into the page the cloud serves (build/console.ts writes that page). */
import { render } from 'preact';
import { ConsoleApp } from './app.tsx';
import './style.css';

const root = document.getElementById('app')!;
// The page's "Loading" text goes: preact adds to what is there rather than replacing it.
root.replaceChildren();
render(<ConsoleApp />, root);
