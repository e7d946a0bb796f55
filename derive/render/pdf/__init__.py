"""The PDF: print HTML laid out by WeasyPrint, then formulas and labels drawn into the pages."""
