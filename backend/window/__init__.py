"""The township one-window queue (一窗受理) and the back office (后台审批): claims, front-desk
actions, walk-ins, routing of cases to departments, approval and the staff view of a case."""
