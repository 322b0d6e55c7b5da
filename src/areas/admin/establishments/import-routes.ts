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
const baseName = (name: string) => name.split(/[\\/]/).pop()!.slice(0, 255) || 'archivo.csv';

/**
 * The ministry's establishment list from the browser, in three steps: upload (GET), preview
 * (POST the file: it is planned, shown with every error by line, and kept server-side under a
 * random id), apply (POST the id: planned again against the database and written all or nothing).
 */
export function establishmentImportRoutes(deps: AdminDeps) {
  const router = Router();
  const apply = importEstablishments(deps);
  const policy = deps.policy(apply);

  const renderUpload = (res: Response, status: number, error?: string) =>
    res.status(status).render('admin/establishments/import', {
      title: TITLE,
      section: 'establishments',
      errors: error ? { file: error } : {},
    });

  router.get('/import', policy, (_req, res) => renderUpload(res, 200));

  // The file to fill in: Excel in es-PY reads `;` and the BOM keeps the accents.
  router.get('/import/plantilla.csv', policy, (_req, res) => {
    res
      .set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': 'attachment; filename="plantilla-establecimientos.csv"',
      })
      .send(IMPORT_TEMPLATE);
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
    if (res.locals.uploadError) return renderUpload(res, 400, res.locals.uploadError);
    const file = req.file;
    if (!file || file.size === 0)
      return renderUpload(res, 400, 'Seleccione el archivo CSV con la lista de establecimientos.');
    // Decoded leniently: a Windows-1252 file shows up as U+FFFD, which the plan reports by line.
    const text = file.buffer.toString('utf8');
    const fileName = baseName(file.originalname);
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
    const draftId = typeof req.body?.draftId === 'string' ? req.body.draftId : '';
    const draft = await deps.importDrafts.get(draftId, actor.userId);
    if (!draft)
      return renderUpload(
        res,
        410,
        'La vista previa ya no está disponible (vence a los 30 minutos). Vuelva a subir el archivo.',
      );
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
