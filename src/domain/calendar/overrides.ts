// Administrator overrides of the legal calendar, validated at the edge (API, configuration, database row).
import { z } from 'zod';
import type { CalendarOverrides } from './calendar.js';
import { isIsoDate } from './civil.js';

export const isoDateSchema = z.string().refine((s) => isIsoDate(s), { message: "expected a calendar date 'YYYY-MM-DD'" });

export const calendarOverrideDaySchema = z.strictObject({
  date: isoDateSchema,
  /** true: a working day (e.g. a make-up Saturday the package lacks); false: a rest day (a regional holiday). */
  working: z.boolean(),
  name: z.string().min(1),
  /** Why: the notice (e.g. 国办发明电〔2026〕…号) or the regional decision. */
  reason: z.string().min(1),
});

export const calendarOverridesSchema = z
  .strictObject({
    days: z.array(calendarOverrideDaySchema).default([]),
    publishedYears: z.array(z.number().int().min(1949).max(2200)).default([]),
  })
  .superRefine((value, ctx) => {
    const seen = new Map<string, number>();
    value.days.forEach((d, i) => {
      const first = seen.get(d.date);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['days', i, 'date'],
          message: `duplicate override for ${d.date} (also at days[${first}])`,
        });
      } else {
        seen.set(d.date, i);
      }
    });
  });

export type CalendarOverridesInput = z.input<typeof calendarOverridesSchema>;

export function parseCalendarOverrides(input: unknown): CalendarOverrides {
  return calendarOverridesSchema.parse(input);
}

export const NO_OVERRIDES: CalendarOverrides = Object.freeze({ days: [], publishedYears: [] }) as CalendarOverrides;
