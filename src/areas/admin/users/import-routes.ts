import { Router, type Response } from 'express';
import type { AdminDeps } from '../deps';
import type { Actor } from '../../../access/actor';
import {
  importUsers,
  planUsersFile,
  type ImportedAccount,
} from '../../../domain/users/commands/import-users';
import { MAX_USER_IMPORT_BYTES, type UserImportPlan } from '../../../domain/users/import-plan';
import { formatCedula } from '../../../shared/cedula';
import { formatIsoDate } from '../../../shared/time';
import { ROLE_LABELS } from '../../../shared/roles';
import { requestMeta } from '../../../web/request-meta';
import { ValidationError } from '../../../shared/validation';
import { csvImportSteps } from '../csv-import';

/** The staff file's upload, as the pipeline (src/web/pipeline.ts) takes it. */
export const USER_UPLOAD = {
  path: '/admin/users/import/preview',
  field: 'file',
  maxBytes: MAX_USER_IMPORT_BYTES,
} as const;

const TITLE = 'Importar personal';

/** The file to fill in: the header the import reads and two example rows (Excel in es-PY reads `;`). */
export const USER_IMPORT_TEMPLATE =
  '\uFEFFcedula;nombre;usuario;email;establecimientos;rol;valida_hasta\r\n' +
  '1234567;María José González Benítez;;mjgonzalez@ejemplo.gov.py;EJ-0001;personal;28/02/2027\r\n' +
  '2345678;Juan Pérez;jperez;;EJ-0001,EJ-0002;;\r\n';

/** "4 cuentas nuevas, 2 actualizadas, 1 sin cambios". */
export function userImportCountsText(counts: UserImportPlan['counts']): string {
  const parts = [
    counts.create === 1 ? '1 cuenta nueva' : `${counts.create} cuentas nuevas`,
    counts.update === 1 ? '1 actualizada' : `${counts.update} actualizadas`,
  ];
  if (counts.unchanged) parts.push(`${counts.unchanged} sin cambios`);
  return parts.join(', ');
}

/**
 * The list Human Resources sends, from the browser, in three steps like the establishments' import:
 * upload (GET), preview (POST the file: planned as the importer may act, every line shown with
 * what it does or why it is refused, and kept server-side under a random id for 30 minutes),
 * apply (POST the id: planned again inside the command's transaction, written all or nothing).
 * The answer to the apply is the result page itself, not a redirect: one-time passwords, when
 * asked for, appear on that one printable page and in no URL, session or log.
 */
export function userImportRoutes(deps: AdminDeps) {
  const router = Router();
  const apply = importUsers(deps);
  const policy = deps.policy(apply);

  const {
    renderUpload,
    uploaded,
    draft: draftOf,
  } = csvImportSteps(router, {
    policy,
    view: 'admin/users-import/upload',
    title: TITLE,
    section: 'users',
    template: { fileName: 'plantilla-personal.csv', text: USER_IMPORT_TEMPLATE },
    drafts: deps.userImportDrafts,
    missingFile: 'Seleccione el archivo CSV con la lista del personal.',
    defaultName: 'personal.csv',
  });

  const renderPreview = (
    res: Response,
    view: { fileName: string; plan: UserImportPlan; draftId: string | null },
  ) =>
    res.status(view.plan.errors.length ? 400 : 200).render('admin/users-import/preview', {
      title: 'Vista previa: importar personal',
      section: 'users',
      pageClass: 'page--wide',
      fileName: view.fileName,
      plan: view.plan,
      changed: view.plan.rows.filter((r) => r.action !== 'unchanged'),
      draftId: view.draftId,
      formatCedula,
      formatIsoDate,
      roleLabels: ROLE_LABELS,
    });

  router.post('/import/preview', policy, async (req, res) => {
    const file = uploaded(req, res);
    if (!file) return;
    const { text, fileName } = file;
    const actor: Actor = res.locals.actor;
    const plan = await planUsersFile(deps.repos, actor, text, deps.clock.now());
    const draftId =
      plan.errors.length === 0 && plan.counts.create + plan.counts.update > 0
        ? await deps.userImportDrafts.save({ userId: actor.userId, fileName, text })
        : null;
    renderPreview(res, { fileName, plan, draftId });
  });

  router.post('/import/apply', policy, async (req, res) => {
    const actor: Actor = res.locals.actor;
    const draft = await draftOf(req, res);
    if (!draft) return;
    let result: { plan: UserImportPlan; accounts: ImportedAccount[]; updated: number[] };
    try {
      result = await apply(
        actor,
        {
          fileName: draft.fileName,
          text: draft.text,
          oneTimePasswords: req.body?.oneTimePasswords === 'on',
        },
        requestMeta(req),
      );
    } catch (err) {
      if (err instanceof ValidationError) return renderUpload(res, 400, err.publicMessage);
      throw err;
    }
    await deps.userImportDrafts.discard(draft.id);
    res.render('admin/users-import/done', {
      title: 'Personal importado',
      section: 'users',
      fileName: draft.fileName,
      countsText: userImportCountsText(result.plan.counts),
      accounts: result.accounts,
      withPasswords: result.accounts.some((a) => a.oneTimePassword),
      updated: result.updated.length,
      formatCedula,
    });
  });

  return router;
}
