package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/upload"
)

// Files on the task page: the operator's photos (several at once, from the
// camera or the gallery) and the invoice document. The body is capped
// before it is parsed and read one file at a time (internal/upload); each
// file is judged by its bytes (internal/photo: photos are turned upright,
// stripped of EXIF and GPS, re-encoded, thumbnailed); blobs are written
// first and recorded after, and removed again when recording fails.

// Limits shown on the page.
const (
	taskMaxPhotos     = upload.MaxPhotosPerUpload
	taskMaxPhotoMB    = upload.MaxPhotoBytes >> 20
	taskMaxDocumentMB = upload.MaxDocumentBytes >> 20
)

// taskPhotos adds photos to the visit.
func (s *Server) taskPhotos(w http.ResponseWriter, r *http.Request, l taskLink) error {
	ctx := r.Context()
	// A dead link is refused before its body is read.
	if _, err := s.db.ContractorTask(ctx, l.hash); err != nil {
		return err
	}
	f := NewForm()
	var stored []string
	photos, err := s.readTaskPhotos(w, r, f, &stored)
	if err == nil {
		for i := range photos {
			photos[i].Phase = f.Get("phase")
		}
		err = s.db.ContractorAddPhotos(ctx, l.hash, clientIP(r), photos)
	}
	if err != nil {
		s.deleteBlobs(ctx, stored...)
		err = quotaFieldError(err, "photos", contractorStorageFull)
		if lintel.KindOf(err) == lintel.KindInvalid && len(lintel.FieldsOf(err)) == 0 {
			err = lintel.FieldErrors{"photos": lintel.MessageOf(err)}.Err()
		}
		return s.taskRefused(w, r, l, err, "photos", f)
	}
	return redirect(w, r, taskSavedTo(l, "photos", "photos", "n", strconv.Itoa(len(photos))))
}

// readTaskPhotos reads, checks and stores every photo of the form; the
// text fields land in f. Keys of what was stored are appended to stored.
func (s *Server) readTaskPhotos(w http.ResponseWriter, r *http.Request, f Form, stored *[]string) ([]sqldb.NewPhoto, error) {
	if err := upload.Limit(w, r, upload.MaxPhotoRequestBytes); err != nil {
		return nil, err
	}
	form, err := upload.NewForm(r, upload.Photos())
	if err != nil {
		return nil, err
	}
	defer func() {
		for k, v := range form.Values {
			f.Values[k] = v
		}
	}()
	var out []sqldb.NewPhoto
	for {
		file, err := form.NextFile()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		p, err := photo.Process(r.Context(), bytes.NewReader(file.Data))
		if err != nil {
			return nil, taskFileError(file.Name, err)
		}
		name := taskJPEGName(file.Name, "photo")
		full, err := s.storeTaskBlob(r.Context(), p.Full.Data, name, p.Full.ContentType, stored)
		if err != nil {
			return nil, err
		}
		thumb, err := s.storeTaskBlob(r.Context(), p.Thumb.Data, "thumb-"+name, p.Thumb.ContentType, stored)
		if err != nil {
			return nil, err
		}
		out = append(out, sqldb.NewPhoto{File: full, Thumb: thumb})
	}
	if len(out) == 0 {
		return nil, lintel.FieldErrors{"photos": "Choose at least one photo: take one with the camera or pick it from the gallery."}.Err()
	}
	return out, nil
}

// taskInvoice saves the invoice details and its document ("Save
// document"). A closed request refuses it before the file is read.
func (s *Server) taskInvoice(w http.ResponseWriter, r *http.Request, l taskLink) error {
	ctx := r.Context()
	t, err := s.db.ContractorTask(ctx, l.hash)
	if err != nil {
		return err
	}
	f := NewForm()
	if !t.Open() {
		return s.taskRefused(w, r, l, sqldb.ErrInvoiceClosed, "invoice", f)
	}
	var stored []string
	in, doc, err := s.readTaskInvoice(w, r, f, t.Currency, &stored)
	if err == nil {
		err = s.db.ContractorSaveInvoice(ctx, l.hash, clientIP(r), in, doc)
	}
	if err != nil {
		s.deleteBlobs(ctx, stored...)
		err = quotaFieldError(err, "invoice_file", contractorStorageFull)
		if lintel.KindOf(err) == lintel.KindInvalid && len(lintel.FieldsOf(err)) == 0 {
			err = lintel.FieldErrors{"invoice_file": lintel.MessageOf(err)}.Err()
		}
		if _, ok := lintel.FieldsOf(err)["invoice_file"]; !ok && doc != nil {
			f.Errors.Add("invoice_file", "Choose the document again: files are not kept when a form is refused.")
		}
		return s.taskRefused(w, r, l, err, "invoice", f)
	}
	return redirect(w, r, taskSavedTo(l, "invoice", "invoice"))
}

// readTaskInvoice reads the invoice form. The details are checked before
// the document is stored, so a typo costs no storage.
func (s *Server) readTaskInvoice(w http.ResponseWriter, r *http.Request, f Form, currency string, stored *[]string) (sqldb.Invoice, *sqldb.NewFile, error) {
	var in sqldb.Invoice
	if err := upload.Limit(w, r, upload.MaxDocumentRequestBytes); err != nil {
		return in, nil, err
	}
	form, err := upload.NewForm(r, upload.Document())
	if err != nil {
		return in, nil, err
	}
	var file *upload.File
	for {
		next, err := form.NextFile()
		if err == io.EOF {
			break
		}
		if err != nil {
			for k, v := range form.Values {
				f.Values[k] = v
			}
			return in, nil, err
		}
		file = next
	}
	for k, v := range form.Values {
		f.Values[k] = v
	}
	in.Number = f.Get("invoice_number")
	in.Date = f.Date("invoice_date")
	in.AmountMinor = f.Money("invoice_amount", currency, true)
	if f.Get("invoice_tax") != "" {
		tax := f.Money("invoice_tax", currency, false)
		in.TaxMinor = &tax
	}
	if len(f.Errors) > 0 {
		if file != nil {
			f.Errors.Add("invoice_file", "Choose the document again: files are not kept when a form is refused.")
		}
		return in, nil, f.Errors.Err()
	}
	if file == nil {
		return in, nil, nil
	}
	d, err := photo.ProcessDocument(r.Context(), bytes.NewReader(file.Data))
	if err != nil {
		return in, nil, taskFileError(file.Name, err)
	}
	name := file.Name
	if d.ContentType != photo.ContentTypePDF {
		name = taskJPEGName(name, "invoice")
	} else if name == "" {
		name = "invoice.pdf"
	}
	doc, err := s.storeTaskBlob(r.Context(), d.Data, name, d.ContentType, stored)
	if err != nil {
		return in, nil, err
	}
	return in, &doc, nil
}

// taskPhoto serves a photo of the link's request (?size=thumb for its
// thumbnail); another request's photo is not found.
func (s *Server) taskPhoto(w http.ResponseWriter, r *http.Request, l taskLink) error {
	id, err := strconv.ParseInt(r.PathValue("photo"), 10, 64)
	if err != nil || id <= 0 {
		if _, err := s.db.ContractorTask(r.Context(), l.hash); err != nil {
			return err // a dead link says so, whatever follows it
		}
		return lintel.ErrNotFound
	}
	f, err := s.db.ContractorPhoto(r.Context(), l.hash, id, r.URL.Query().Get("size") == "thumb")
	if err != nil {
		return err
	}
	return s.serveStoredFile(w, r, f, "inline", cacheNever)
}

// taskInvoiceFile serves the visit's invoice document.
func (s *Server) taskInvoiceFile(w http.ResponseWriter, r *http.Request, l taskLink) error {
	f, err := s.db.ContractorInvoice(r.Context(), l.hash)
	if err != nil {
		return err
	}
	return s.serveStoredFile(w, r, f, "inline", cacheNever)
}

// storeTaskBlob stores data (storeBlob) and appends its key to stored
// for clean-up.
func (s *Server) storeTaskBlob(ctx context.Context, data []byte, name, contentType string, stored *[]string) (sqldb.NewFile, error) {
	nf, err := s.storeBlob(ctx, data, name, contentType)
	if err == nil {
		*stored = append(*stored, nf.Key)
	}
	return nf, err
}

// taskFileError puts the file's name in front of photo's message, so a
// person who sent five photos knows which one was refused.
func taskFileError(name string, err error) error {
	var le *lintel.Error
	if name == "" || !errors.As(err, &le) || le.Kind != lintel.KindInvalid {
		return err
	}
	return &lintel.Error{Kind: lintel.KindInvalid, Message: "“" + name + "”: " + le.Message, Err: err}
}

// taskJPEGName is the name of a re-encoded photo: the sender's, ending .jpg.
func taskJPEGName(name, fallback string) string {
	base := strings.TrimSuffix(name, path.Ext(name))
	if base == "" {
		base = fallback
	}
	return base + ".jpg"
}
