import path from 'node:path';
import ejs from 'ejs';
import type express from 'express';
import { formatCedula } from '../shared/cedula';
import { projectRoot } from '../shared/paths';
import { CITIZENS, SANDBOX_PASSWORD } from './citizens';

const viewsDir = path.join(projectRoot, 'views', 'sandbox');

/** The one message for every credential failure, as MITIC's screen shows it. */
export const BAD_CREDENTIALS_MESSAGE = 'Número de cédula o contraseña incorrectos';

/**
 * Renders `views/sandbox/<name>.ejs`. Returns a string (not `res.render`) because the OpenID
 * Provider's hooks run in Koa and need the same pages.
 */
export function renderView(name: string, locals: Record<string, unknown>): Promise<string> {
  // Includes name their file from the views' root (`/sandbox/_top`): no file lookup per render.
  return ejs.renderFile(path.join(viewsDir, `${name}.ejs`), locals, {
    cache: true,
    root: path.dirname(viewsDir),
  });
}

/** Sends an already rendered page. */
export function sendHtml(res: express.Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** What differs between the MITIC login and the OIDC interaction login: where the form goes. */
export interface LoginScreen {
  action: string;
  hidden: Record<string, string>;
  error?: string;
  cedula?: string;
}

/** The seed's MITIC login screen, with the test citizens listed (it is a simulator). */
export function renderLoginScreen(screen: LoginScreen): Promise<string> {
  return renderView('login', {
    title: 'Identidad Electrónica',
    action: screen.action,
    hidden: Object.entries(screen.hidden),
    error: screen.error ?? null,
    cedula: screen.cedula ?? '',
    citizens: CITIZENS.map((c) => ({
      cedula: formatCedula(c.cedula),
      name: `${c.nombres} ${c.apellidos}`,
    })),
    password: SANDBOX_PASSWORD,
  });
}

/** A Spanish error page; `detail` is the protocol's error code, shown for developers. */
export function renderErrorPage(title: string, message: string, detail?: string): Promise<string> {
  return renderView('error', { title, message, detail: detail ?? null });
}

/** The informative pages behind the screen's links; all say plainly that this is a simulator. */
export const INFO_PAGES: Readonly<Record<string, { title: string; paragraphs: string[] }>> = {
  'crear-cuenta': {
    title: 'Crear cuenta',
    paragraphs: [
      'En este simulador no se crean cuentas: usá uno de los ciudadanos de prueba.',
      'La cuenta real de Identidad Electrónica se crea en el Portal Único de Gobierno (www.paraguay.gov.py).',
    ],
  },
  'recuperar-clave': {
    title: '¿Has olvidado tu clave?',
    paragraphs: [
      `Todos los ciudadanos de prueba usan la contraseña «${SANDBOX_PASSWORD}».`,
      'La clave real se recupera en el Portal Único de Gobierno (www.paraguay.gov.py).',
    ],
  },
  terminos: {
    title: 'Términos y condiciones',
    paragraphs: [
      'Este es un simulador para desarrollo, demostraciones y pruebas. No es el servicio oficial del MITIC.',
      'No ingreses aquí tu cédula ni tu contraseña reales: solo se aceptan ciudadanos de prueba.',
    ],
  },
  'identidad-electronica': {
    title: '¿Qué es la Identidad Electrónica?',
    paragraphs: [
      'La Identidad Electrónica es el sistema de identificación digital del MITIC: tu número de cédula y una contraseña creada por vos (Ley N.º 6822/2022).',
      'Esta página pertenece a un simulador; la información oficial está en www.paraguay.gov.py/identidad-electronica/informacion.',
    ],
  },
};
