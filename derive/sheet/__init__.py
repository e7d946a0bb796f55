"""The worksheet model (``model``) and its assembly from the stages above (``build``)."""
