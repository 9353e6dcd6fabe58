export * from './pages/pages.tsx';
