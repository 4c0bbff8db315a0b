import type { FastifyInstance } from 'fastify';
import { XLSX_MEDIA_TYPE } from '../adapters/c1/index.js';
import { LEVELS, type Level } from '../adapters/c1/template.js';
import { emptyTemplate } from '../adapters/c1/write.js';
import { ProblemError } from '../errors/problem.js';

// The empty C1 templates (src/adapters/c1/README.md), for schools that fill results by hand.
// They are public forms, like the Ministry's own: served without a key. Each is made by code
// once per process (the same content every time) and kept: a few tens of kB.

const BY_NAME = new Map<string, Level>((Object.keys(LEVELS) as Level[]).map((l) => [`${LEVELS[l].file}.xlsx`, l]));
const made = new Map<Level, Promise<Buffer>>();

export default async function templateRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/v1/templates/:name',
    {
      schema: {
        tags: ['vendor'],
        summary: 'An empty C1 template (xlsx): c1-tt27-tieu-hoc.xlsx, c1-tt22-thcs.xlsx, c1-tt22-thpt.xlsx. No key needed.',
        params: { type: 'object', required: ['name'], properties: { name: { type: 'string', enum: [...BY_NAME.keys()] } } },
        response: { 404: { $ref: 'Problem#' } },
      },
      // An unknown name is a 404 Problem, not a 400 from the enum above.
      attachValidation: true,
    },
    async (request, reply) => {
      const { name } = request.params as { name: string };
      const level = BY_NAME.get(name);
      if (!level) {
        throw new ProblemError('NOT_FOUND', {
          detail: `No template ${name}; there are ${[...BY_NAME.keys()].join(', ')}.`,
          detail_vi: `Không có mẫu ${name}; các mẫu hiện có: ${[...BY_NAME.keys()].join(', ')}.`,
        });
      }
      if (!made.has(level)) made.set(level, emptyTemplate(level));
      const body = await made.get(level)!;
      return reply.header('content-type', XLSX_MEDIA_TYPE).header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'public, max-age=86400').send(body);
    },
  );
}
