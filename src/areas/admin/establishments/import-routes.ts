import { Router, type Response } from 'express';
import type { AdminDeps } from '../deps';
import type { Actor } from '../../../access/actor';
import { importEstablishments } from '../../../domain/establishments/commands/import-establishments';
import { planAgainst, sha256 } from '../../../domain/establishments/apply-import';
import {
  isApplicable,
  MAX_IMPORT_BYTES,
  importCountsText,
  nothingChangedText,
  unconfirmedRegions,
  type ImportPlan,
} from '../../../domain/establishments/import-plan';
import { requestMeta } from '../../../web/request-meta';
import { ValidationError } from '../../../shared/validation';
import { csvImportSteps } from '../csv-import';

/** Where the upload is posted: the pipeline parses multipart bodies for this path only. */
export const IMPORT_UPLOAD_PATH = '/admin/establishments/import/preview';
/** The form's file field. */
export const IMPORT_FILE_FIELD = 'file';

/** The upload of this screen, as the pipeline (src/web/pipeline.ts) takes it. */
export const ESTABLISHMENT_UPLOAD = {
  path: IMPORT_UPLOAD_PATH,
  field: IMPORT_FILE_FIELD,
  maxBytes: MAX_IMPORT_BYTES,
} as const;

const TITLE = 'Importar establecimientos';

/** The template offered for download: the header the import reads, and one example row. */
export const IMPORT_TEMPLATE =
  '\uFEFFcódigo;nombre;región\r\nEJ-0001;Hospital Distrital de Ejemplo;Central\r\n';

/**
 * The ministry's establishment list from the browser, in three steps: upload (GET), preview
 * (POST the file: it is planned, shown with every error by line, and kept server-side under a
 * random id), apply (POST the id: planned again against the database and written all or nothing).
 */
export function establishmentImportRoutes(deps: AdminDeps) {
  const router = Router();
  const apply = importEstablishments(deps);
  const policy = deps.policy(apply);

  const {
    renderUpload,
    uploaded,
    draft: draftOf,
  } = csvImportSteps(router, {
    policy,
    view: 'admin/establishments/import',
    title: TITLE,
    section: 'establishments',
    template: { fileName: 'plantilla-establecimientos.csv', text: IMPORT_TEMPLATE },
    drafts: deps.importDrafts,
    missingFile: 'Seleccione el archivo CSV con la lista de establecimientos.',
    defaultName: 'archivo.csv',
  });

  const renderPreview = (
    res: Response,
    view: { fileName: string; text: string; plan: ImportPlan; draftId: string | null },
    extra: { error?: string; confirmed?: string[] } = {},
  ) =>
    res
      .status(extra.error || !isApplicable(view.plan) ? 400 : 200)
      .render('admin/establishments/import-preview', {
        title: 'Vista previa de la importación',
        section: 'establishments',
        pageClass: 'page--wide',
        fileName: view.fileName,
        digest: sha256(view.text),
        plan: view.plan,
        changed: view.plan.rows.filter((r) => r.action !== 'unchanged'),
        draftId: view.draftId,
        error: extra.error,
        confirmed: extra.confirmed ?? [],
      });

  router.post('/import/preview', policy, async (req, res) => {
    const file = uploaded(req, res);
    if (!file) return;
    const { text, fileName } = file;
    const plan = await planAgainst(deps.repos, text);
    const actor: Actor = res.locals.actor;
    const changes = plan.counts.create + plan.counts.update;
    const draftId =
      isApplicable(plan) && changes > 0
        ? await deps.importDrafts.save({ userId: actor.userId, fileName, text })
        : null;
    renderPreview(res, { fileName, text, plan, draftId });
  });

  router.post('/import/apply', policy, async (req, res) => {
    const actor: Actor = res.locals.actor;
    const draft = await draftOf(req, res);
    if (!draft) return;
    const draftId = draft.id;
    const raw: unknown = req.body?.createRegions;
    const createRegions = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
      (v): v is string => typeof v === 'string',
    );
    // A new región left unticked: the same preview again, saying what to decide.
    const plan = await planAgainst(deps.repos, draft.text);
    const unconfirmed = unconfirmedRegions(plan, createRegions);
    if (isApplicable(plan) && unconfirmed.length)
      return renderPreview(
        res,
        { fileName: draft.fileName, text: draft.text, plan, draftId },
        {
          error:
            'Marque cada región nueva que quiere crear, o corrija el archivo si alguna es un error de escritura.',
          confirmed: createRegions,
        },
      );
    let result;
    try {
      result = await apply(
        actor,
        { fileName: draft.fileName, text: draft.text, createRegions },
        requestMeta(req),
      );
    } catch (err) {
      if (err instanceof ValidationError) return renderUpload(res, 400, err.publicMessage);
      throw err;
    }
    await deps.importDrafts.discard(draftId);
    const { create, update, unchanged } = result.plan.counts;
    req.session.flash = {
      kind: 'info',
      text:
        create + update === 0
          ? nothingChangedText(unchanged)
          : `Importación aplicada: ${importCountsText(result.plan.counts)}.`,
    };
    res.redirect(303, '/admin/establishments');
  });

  return router;
}
