export * from './digest-html.tsx';
export * from './digest-text.ts';
export * from './mail.ts';
export * from './loaded-mailer.ts';
