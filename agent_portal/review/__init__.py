"""The back office's desk (后台审批): cases transferred to the approver's department."""
