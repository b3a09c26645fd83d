"""Contract checks of deployments: Schemathesis with our specs, credentials found per API."""

from mockserver.contract.runner import ContractOptions, run_contract

__all__ = ["ContractOptions", "run_contract"]
