"""Per-GPU model-state bytes under ZeRO (Rajbhandari et al. 2020, §5, Figure 1)."""


def model_state_bytes(params, dp, zero_stage, param_bytes=2, grad_bytes=2, optimizer_bytes=12):
    """Bytes of weights, gradients and optimizer states one data-parallel rank holds."""
    # KATA-BEGIN: validate the inputs, then shard one more term per ZeRO stage
    if zero_stage not in (0, 1, 2, 3):
        raise ValueError(f"zero_stage={zero_stage!r}: expected 0, 1, 2 or 3")
    if params <= 0 or dp <= 0:
        raise ValueError(f"params={params!r}, dp={dp!r}: both must be positive")
    weights = params * param_bytes / (dp if zero_stage >= 3 else 1)
    grads = params * grad_bytes / (dp if zero_stage >= 2 else 1)
    optimizer = params * optimizer_bytes / (dp if zero_stage >= 1 else 1)
    # KATA-END
    return {"params": weights, "grads": grads, "optimizer": optimizer, "total": weights + grads + optimizer}
