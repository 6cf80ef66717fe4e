import type { ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { OperationCache } from '../execution/operation-cache.js';
import { type OperationPlan, planOperation } from '../execution/operation-plan.js';
import { executePlan } from '../execution/plan-executor.js';

/**
 * usePlannedExecution runs queries through a plan compiled once per document (see
 * executePlan): a page of 100 guests costs a fraction of what the general executor spends on
 * its ~2,000 fields. Whatever the plan does not cover — mutations, subscriptions, directives,
 * abstract types — and every execution that would answer with an error runs through the
 * standard executor instead, so answers (data and errors) are the ones graphql-js gives.
 * Documents come from yoga's parser cache, so a repeated query reuses its plan.
 */
export function usePlannedExecution(): Plugin {
  // One plan (or null: not plannable) per document and operation, planned again for another schema.
  const plans = new OperationCache<OperationPlan | null>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const { schema, document, operationName } = args;
      const plan = plans.get(
        document,
        operationName,
        () => planOperation(schema, document, operationName),
        (kept) => kept !== null && kept.schema !== schema,
      );
      if (!plan) return;
      setExecuteFn((executionArgs: ExecutionArgs) => {
        const standard = () => executeFn(executionArgs);
        try {
          const result = executePlan(plan, executionArgs);
          return result instanceof Promise ? result.catch(standard) : result;
        } catch {
          return standard();
        }
      });
    },
  };
}
