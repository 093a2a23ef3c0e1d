/* placeholder, replaced by the foundation commit */
