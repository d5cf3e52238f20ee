import { z } from 'zod';
import { CurvePointSchema, TargetSchema } from './operating-point.js';
import { StopRuleSchema } from './stop-rule.js';

const ChoiceSchema = z.object({ rule: StopRuleSchema, curve: z.array(CurvePointSchema), target: TargetSchema, text: z.unknown().optional() });

/**
 * Whether a policy fitted for a loss target asks as many models as its dearest setting only because
 * no cheaper setting's bound was within the target: what a user who expected savings needs told,
 * since the cure is theirs (more labelled items, a looser loss target or a call budget). The maxLoss
 * it was held to, or undefined when the state is not such a policy, a budget chose the setting, a
 * cheaper setting was chosen, the curve has nothing cheaper, or a checkpoint 0 decides items from
 * their text with no call (then it does not ask every model).
 */
export function unvouchedLossTarget(state: unknown): { maxLoss: number } | undefined {
  const parsed = ChoiceSchema.safeParse(state);
  if (!parsed.success) return undefined;
  const { rule, curve, target, text } = parsed.data;
  if (text !== undefined || target.maxLoss === undefined || target.maxCalls !== undefined || target.maxCost !== undefined) return undefined;
  const chosen = curve.find((p) => JSON.stringify(p.rule) === JSON.stringify(rule));
  if (!chosen) return undefined;
  const dearest = Math.max(...curve.map((p) => p.calls));
  const cheaper = curve.some((p) => p.calls < chosen.calls - 1e-9);
  return chosen.calls >= dearest - 1e-9 && cheaper ? { maxLoss: target.maxLoss } : undefined;
}
