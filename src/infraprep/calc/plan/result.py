"""The answer of ``calc plan``: the ranked plans, the best one's derivation, and why the rest fail."""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.calc.model import count_params
from infraprep.calc.plan.evaluate import Plan
from infraprep.calc.plan.inputs import PlanInputs
from infraprep.calc.plan.search import Tally
from infraprep.calc.plan.space import LAYOUT_REASONS
from infraprep.calc.units import format_bytes, format_count, format_flops, format_seconds

__all__ = ["PlanResult"]

PLAN_REASONS = {
    "memory": "does not fit in memory",
    "schedule": "interleaved schedule needs microbatches divisible by PP (Narayanan et al. 2021 §2.2.2)",
    "dominated": "fits, but a lower ZeRO stage of the same plan is as fast (left out of the ranking)",
    "bounded": "fits, but its compute + bubble alone already reach the last ranked plan's step (not estimated)",
}


def _gb(n: float) -> str:
    return format_bytes(n, binary=False)


@dataclass(frozen=True)
class PlanResult:
    inputs: PlanInputs
    plans: tuple[Plan, ...]  # the fastest plans that fit, fastest first
    tally: Tally

    @property
    def best(self) -> Plan | None:
        return self.plans[0] if self.plans else None

    def reason_text(self, reason: str) -> str:
        i = self.inputs
        return LAYOUT_REASONS[reason].format(domain=i.domain, layers=i.model.layers, slots=i.model.layers + 2,
                                             seq=i.seq, batch=i.global_batch)

    def layout_rejections(self) -> list[dict]:
        t = self.tally
        rows = []
        for reason in LAYOUT_REASONS:
            if t.layouts.get(reason):
                row = {"reason": reason, "what": self.reason_text(reason), "count": t.layouts[reason]}
                if reason == "memory":
                    row["closest_short_bytes"] = t.closest_layout_short
                rows.append(row)
        return rows

    def plan_rejections(self) -> list[dict]:
        t = self.tally
        counts = {"memory": t.plans_memory, "schedule": t.plans_schedule, "dominated": t.plans_dominated,
                  "bounded": t.plans_feasible - t.plans_estimated}
        rows = []
        for reason, count in counts.items():
            if count:
                row = {"reason": reason, "what": PLAN_REASONS[reason], "count": count}
                if reason == "memory":
                    row["closest_short_bytes"] = t.closest_plan_short
                rows.append(row)
        return rows

    def conventions(self) -> dict:
        i = self.inputs
        return {
            "step_time": "compute + pipeline bubble + exposed communication",
            "compute": f"hardware FLOPs ÷ (GPUs × peak × efficiency {i.efficiency:g}); FLOPs per PaLM Appendix B "
                       "(6N + 12·L·H·Q·T per token, N active parameters) via calc.flops",
            "attention": i.attention,
            "mfu": "model FLOPs (no recomputation) ÷ (step time × GPUs × peak)",
            "peak": f"{i.gpu.name} dense {i.dtype}",
            "efficiency": i.efficiency,
            "bubble": "calc.bubble closed forms (1F1B, interleaved) with f + b = compute ÷ m",
            "communication": "calc.comm on a full stage: ring volumes ÷ link bandwidth; dp hides under the "
                             "backward, pp under the step, cp under the attention core (Ring Attention), tp/ep "
                             "never; per link at least its total traffic time minus the compute",
            "memory": "calc.memory + calc.activations on the first pipeline stage (Korthikanti et al. 2022 "
                      "§4.2.3), vs capacity",
            "capacity_bytes": i.capacity,
            "activations": f"{'FlashAttention' if i.flash else 'materialised scores'}, "
                           f"{'with' if i.dropout else 'no'} dropout, sequence parallel {i.sequence_parallel}",
            "bytes": {"param": i.param_bytes, "grad": i.grad_bytes, "optimizer": i.optimizer},
            "placement": f"rank order tp-cp-ep-dp-pp; TP inside a scale-up domain of {i.domain}; "
                         f"links {i.links[0]:.4g} B/s intra, {i.links[1]:.4g} B/s inter (per direction)",
            "pipeline_split": "even (pp | L) or Llama 3's balanced split (pp | L+2: embedding and output "
                              "head take a layer slot each)",
            "search": {"zero": list(i.zero), "recompute": list(i.recompute), "schedules": list(i.schedules),
                       "max_micro_batch": i.max_micro_batch},
        }

    def to_dict(self) -> dict:
        i, t = self.inputs, self.tally
        plans = [{"rank": n, **p.to_dict()} for n, p in enumerate(self.plans, 1)]
        return {
            "model": i.model.name,
            "gpu": i.gpu.name,
            "gpus": i.gpus,
            "seq": i.seq,
            "global_batch": i.global_batch,
            "tokens_per_step": i.tokens,
            "peak_flops_per_sec": i.peak,
            "plans": plans,
            "feasible_plans": t.plans_feasible,
            "estimated_plans": t.plans_estimated,
            "layouts": {"total": t.layouts_total, "valid": t.layouts_valid},
            "rejected": {"layouts": self.layout_rejections(), "plans": self.plan_rejections()},
            "conventions": self.conventions(),
        }

    def rows(self) -> list[tuple[str, str]]:
        best = self.best
        if best is None:
            return [("feasible plans", "none")]
        return [
            ("best plan", best.describe()),
            ("step time", format_seconds(best.step_time)),
            ("MFU", f"{best.mfu:.1%}"),
            ("memory per GPU", f"{_gb(best.memory_total)} of {_gb(best.capacity)}"),
            ("feasible plans", f"{self.tally.plans_feasible:,}"),
        ]

    def explain(self) -> str:
        best, i = self.best, self.inputs
        if best is None:
            return "no plan fits: see the rejected layouts and plans"
        f = best.hardware_flops / i.tokens * i.gpus  # hardware FLOPs per token
        o = best.option
        lines = [
            f"tokens/step = B·s = {i.global_batch:,} × {i.seq:,} = {i.tokens:,}",
            f"FLOPs/token (PaLM App. B, N = {format_count(count_params(i.model).active)} active parameters): "
            f"model {best.model_flops / i.tokens * i.gpus:.4g}, hardware (recompute {o.recompute}) {f:.4g}",
            f"compute = {f:.4g} × {i.tokens:,} / {i.gpus:,} GPUs / ({format_flops(i.peak, rate=True)} × "
            f"{i.efficiency:g}) = {format_seconds(best.compute_time)}",
        ]
        if best.bubble is not None:
            lines.append(f"bubble ({o.schedule}, m = {best.microbatches}) = {best.bubble.formula} s")
        else:
            lines.append("bubble = 0 (no pipeline)")
        for c in best.comm.components:
            if c.bytes:
                exposed = best.exposed(c)
                verdict = f"exposed {format_seconds(exposed)}" if exposed else "hides"
                lines.append(f"{c.name}: {_gb(c.bytes)} in {format_seconds(c.time)} ({c.link}) vs window "
                             f"{format_seconds(best.window(c))} → {verdict}")
        if best.link_contention:
            lines.append(f"links shared: traffic on one link beyond the compute it overlaps adds "
                         f"{format_seconds(best.link_contention)}")
        lines.append(f"step = {format_seconds(best.compute_time)} + {format_seconds(best.bubble_time)} + "
                     f"{format_seconds(best.exposed_comm)} = {format_seconds(best.step_time)}")
        lines.append(f"MFU = {best.model_flops:.4g} / ({format_seconds(best.step_time)} × "
                     f"{format_flops(i.peak, rate=True)}) = {best.mfu:.1%}")
        terms = " + ".join(f"{_gb(v)} {k}" for k, v in best.memory.items())
        lines.append(f"memory (first stage) = {terms} = {_gb(best.memory_total)} ≤ {_gb(best.capacity)}")
        return "\n".join(lines)
