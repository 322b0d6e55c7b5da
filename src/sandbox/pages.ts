import express from 'express';
import { INFO_PAGES, renderErrorPage, renderView, sendHtml } from './views';

/** `GET /ayuda/:page`: the screen's informative links, each saying this is a simulator. */
export function infoRoutes(): express.Router {
  const router = express.Router();
  router.get('/', (_req, res) => {
    res.redirect(302, '/ayuda/identidad-electronica');
  });
  // Browsers ask for it on every page; answering keeps the console free of 404s.
  router.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  router.get('/ayuda/:page', async (req, res, next) => {
    const page = Object.hasOwn(INFO_PAGES, req.params.page)
      ? INFO_PAGES[req.params.page]
      : undefined;
    if (!page) return next();
    sendHtml(res, 200, await renderView('info', page));
  });
  return router;
}

/** Anything no route answered. */
export const notFound: express.RequestHandler = async (_req, res) => {
  const message = 'La página que buscás no existe en el simulador de Identidad Electrónica.';
  sendHtml(res, 404, await renderErrorPage('Página no encontrada', message));
};

/**
 * The one error handler: a generic Spanish page, never a stack trace. The error goes to stderr
 * because stdout carries only the "listening" line that tests parse.
 */
export const errorHandler: express.ErrorRequestHandler = async (err, _req, res, _next) => {
  console.error('sandbox error:', err instanceof Error ? err.message : err);
  if (res.headersSent) return;
  const message = 'Ocurrió un error en el simulador de Identidad Electrónica. Volvé a intentarlo.';
  sendHtml(res, 500, await renderErrorPage('Error del simulador', message, 'server_error'));
};
