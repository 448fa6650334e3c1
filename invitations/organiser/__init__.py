"""The organiser's invitation pages: views, forms and urls."""
