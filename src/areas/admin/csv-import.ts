import type { Request, RequestHandler, Response, Router } from 'express';
import type { ImportDraft, ImportDrafts } from '../../domain/establishments/import-drafts';

/** The file's own name, without a path a browser may send, for the screens and the audit. */
const baseName = (name: string, fallback: string) =>
  name.split(/[\\/]/).pop()!.slice(0, 255) || fallback;

/**
 * The steps every CSV import of the admin screens shares (establishments, staff): the upload
 * form (GET `/import`) and its template (GET `/import/plantilla.csv`), registered on `router`
 * under `policy`; the uploaded file of the preview's POST; and the draft kept between the
 * preview and the apply. Each import keeps its own plan, preview and result.
 */
export function csvImportSteps(
  router: Router,
  opts: {
    policy: RequestHandler;
    view: string;
    title: string;
    section: string;
    template: { fileName: string; text: string };
    drafts: ImportDrafts;
    /** "Seleccione el archivo CSV con …", when the form comes without a file. */
    missingFile: string;
    /** The name shown for a file sent without one. */
    defaultName: string;
  },
) {
  const renderUpload = (res: Response, status: number, error?: string) =>
    res.status(status).render(opts.view, {
      title: opts.title,
      section: opts.section,
      errors: error ? { file: error } : {},
    });

  router.get('/import', opts.policy, (_req, res) => renderUpload(res, 200));

  // The file to fill in: Excel in es-PY reads `;` and the BOM keeps the accents.
  router.get('/import/plantilla.csv', opts.policy, (_req, res) => {
    res
      .set({
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${opts.template.fileName}"`,
      })
      .send(opts.template.text);
  });

  return {
    renderUpload,

    /**
     * The preview's file, decoded leniently (a Windows-1252 file shows up as U+FFFD, which the
     * plans report by line); null when the upload form was answered again with why.
     */
    uploaded(req: Request, res: Response): { text: string; fileName: string } | null {
      if (res.locals.uploadError) {
        renderUpload(res, 400, res.locals.uploadError);
        return null;
      }
      const file = req.file;
      if (!file || file.size === 0) {
        renderUpload(res, 400, opts.missingFile);
        return null;
      }
      return {
        text: file.buffer.toString('utf8'),
        fileName: baseName(file.originalname, opts.defaultName),
      };
    },

    /** The apply's draft, the importer's own; null when the upload form said it expired. */
    async draft(req: Request, res: Response): Promise<(ImportDraft & { id: string }) | null> {
      const id = typeof req.body?.draftId === 'string' ? req.body.draftId : '';
      const draft = await opts.drafts.get(id, res.locals.actor.userId);
      if (draft) return { ...draft, id };
      renderUpload(
        res,
        410,
        'La vista previa ya no está disponible (vence a los 30 minutos). Vuelva a subir el archivo.',
      );
      return null;
    },
  };
}
