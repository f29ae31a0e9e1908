import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Router } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { App } from './ui/app.tsx';
import './ui/app.css';
import './ui/layout.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    {/* Hash URLs (#/models): any static host and the offline app shell serve them without a fallback route. */}
    <Router hook={useHashLocation}>
      <App />
    </Router>
  </StrictMode>,
);
